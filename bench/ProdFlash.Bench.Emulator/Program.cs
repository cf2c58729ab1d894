using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Server;
using ProdFlash.Emulator.StLink;
using ProdFlash.Emulator.Timing;

// Benchmark "Emulator: modeled F103C8 programming time and throughput"; prints a docs/benchmarks.md section.
//   dotnet run -c Release --project bench/ProdFlash.Bench.Emulator
var spec = Stm32F1Specs.Stm32F103C8;
var image = new byte[spec.FlashSize];
new Random(103).NextBytes(image);
var floor = (spec.TypicalTimings.ProgramHalfWord * (image.Length / 2)) + spec.TypicalTimings.MassErase;

var rows = new List<string>();
foreach (var (personality, label) in new[] { ("v2j37", "V2J37, SWD 4 MHz"), ("v3j9", "V3J9, SWD 24 MHz") })
{
    foreach (var strategy in new[] { "block", "per-half-word" })
    {
        var run = Bench.Program(personality, strategy, image);
        rows.Add(string.Create(
            CultureInfo.InvariantCulture,
            $"| {label} | {strategy} | {run.Modeled.TotalSeconds:F3} s | {run.Modeled / floor:F2}× | {run.Transactions} | {run.WaitRetries} | {run.Wall.TotalMilliseconds:F0} ms | {(run.Verified ? "yes" : "NO")} |"));
    }
}

var tcp = await Bench.TcpRoundTripsAsync(5000);
Console.WriteLine("## Emulator: modeled F103C8 programming time and throughput");
Console.WriteLine();
Console.WriteLine("Command: `dotnet run -c Release --project bench/ProdFlash.Bench.Emulator`  ");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; 1-minute load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}  "));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
Console.WriteLine();
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"Image: 64 KiB random, mass erase then program, read back and compared. Physical floor (DS5319 typical): 32768 × {spec.TypicalTimings.ProgramHalfWord.TotalMicroseconds:F1} µs + {spec.TypicalTimings.MassErase.TotalMilliseconds:F0} ms mass erase = {floor.TotalSeconds:F3} s."));
Console.WriteLine();
Console.WriteLine("| probe | strategy | modeled time | vs floor | USB transactions | AP WAIT retries | wall-clock (emulation) | verified |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
rows.ForEach(Console.WriteLine);
Console.WriteLine();
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"stlink-server endpoint on loopback: {tcp.Count} GET_VERSION round trips (SEND_USB_CMD) in {tcp.Elapsed.TotalMilliseconds:F0} ms = {tcp.Elapsed.TotalMicroseconds / tcp.Count:F1} µs each (wall clock)."));
return 0;

/// <summary>The benchmark's strategies.</summary>
internal static class Bench
{
    private const int BlockBytes = 6144; // STLINK_DATA_SIZE (reference §4.1)

    public static Result Program(string personality, string strategy, byte[] image)
    {
        var clock = new ModeledClock(TimeProvider.System);
        var chip = new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, clock);
        var probe = new EmulatedStLink(StLinkPersonality.Create(personality), chip, clock);
        var spec = chip.Spec;
        var registers = spec.FlashRegistersBase;
        var wall = Stopwatch.StartNew();
        Command(probe, [0xF2, 0x30, 0xA3], 2);
        if (probe.Personality.IsV3)
        {
            Command(probe, [0xF2, 0x61, 0x00, 0x00, 0xC0, 0x5D, 0x00, 0x00], 8); // 24000 kHz
        }
        else
        {
            Command(probe, [0xF2, 0x43, 0x00, 0x00], 2); // divisor 0: 4 MHz
        }

        WriteWord(probe, registers + Stm32F1FlashController.KeyrOffset, spec.FlashKey1);
        WriteWord(probe, registers + Stm32F1FlashController.KeyrOffset, spec.FlashKey2);
        WriteWord(probe, registers + Stm32F1FlashController.CrOffset, Stm32F1FlashController.CrMer);
        WriteWord(probe, registers + Stm32F1FlashController.CrOffset, Stm32F1FlashController.CrMer | Stm32F1FlashController.CrStrt);
        WaitNotBusy(probe, registers);
        WriteWord(probe, registers + Stm32F1FlashController.CrOffset, Stm32F1FlashController.CrPg);
        if (strategy == "block")
        {
            for (var offset = 0; offset < image.Length; offset += BlockBytes)
            {
                var length = Math.Min(BlockBytes, image.Length - offset);
                probe.Execute(Cdb(Header(0x48, spec.FlashBase + (uint)offset, length)), image.AsSpan(offset, length), []);
                Check(probe);
            }
        }
        else
        {
            for (var offset = 0; offset < image.Length; offset += 2)
            {
                probe.Execute(Cdb(Header(0x48, spec.FlashBase + (uint)offset, 2)), image.AsSpan(offset, 2), []);
                Check(probe);
                WaitNotBusy(probe, registers);
            }
        }

        WaitNotBusy(probe, registers);
        var modeled = clock.Now;
        var readBack = new byte[image.Length];
        for (var offset = 0; offset < image.Length; offset += BlockBytes)
        {
            var length = Math.Min(BlockBytes, image.Length - offset);
            probe.Execute(Cdb(Header(0x07, spec.FlashBase + (uint)offset, length)), [], readBack.AsSpan(offset, length));
        }

        return new Result(modeled, probe.Transactions, probe.Dap.WaitRetries, wall.Elapsed, readBack.AsSpan().SequenceEqual(image));
    }

    public static async Task<(int Count, TimeSpan Elapsed)> TcpRoundTripsAsync(int count)
    {
        var clock = new ModeledClock(TimeProvider.System);
        var probe = new EmulatedStLink(StLinkPersonality.Create("v2j37"), new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, clock), clock);
        await using var server = new StLinkServer([probe]);
        server.Start(0);
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = client.GetStream();
        var open = new byte[8];
        await stream.WriteAsync(new byte[] { 0x03, 0, 0, 0, 0x34, 0x12, 0, 0 });
        await stream.ReadExactlyAsync(open);
        var request = new byte[32];
        request[0] = 0x05;
        open.AsSpan(4, 4).CopyTo(request.AsSpan(4));
        request[8] = 0xF1;
        request[24] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(28), 6);
        var reply = new byte[10];
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await stream.WriteAsync(request);
            await stream.ReadExactlyAsync(reply);
        }

        return (count, stopwatch.Elapsed);
    }

    private static void WaitNotBusy(EmulatedStLink probe, uint registers)
    {
        while ((ReadWord(probe, registers + Stm32F1FlashController.SrOffset) & Stm32F1FlashController.SrBsy) != 0)
        {
        }
    }

    private static void Check(EmulatedStLink probe)
    {
        var status = Command(probe, [0xF2, 0x3E], 12);
        if (status[0] != 0x80)
        {
            throw new InvalidOperationException($"memory command failed with status 0x{status[0]:X2}");
        }
    }

    private static uint ReadWord(EmulatedStLink probe, uint address)
    {
        var data = new byte[4];
        probe.Execute(Cdb(Header(0x07, address, 4)), [], data);
        Check(probe);
        return BinaryPrimitives.ReadUInt32LittleEndian(data);
    }

    private static void WriteWord(EmulatedStLink probe, uint address, uint value)
    {
        var data = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(data, value);
        probe.Execute(Cdb(Header(0x08, address, 4)), data, []);
        Check(probe);
    }

    private static byte[] Command(EmulatedStLink probe, byte[] command, int replyLength)
    {
        var reply = new byte[replyLength];
        probe.Execute(Cdb(command), [], reply);
        return reply;
    }

    private static byte[] Header(byte op, uint address, int length)
    {
        var header = new byte[8];
        header[0] = 0xF2;
        header[1] = op;
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(2), address);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), (ushort)length);
        return header;
    }

    private static byte[] Cdb(byte[] bytes)
    {
        var cdb = new byte[16];
        bytes.CopyTo(cdb, 0);
        return cdb;
    }

    internal sealed record Result(TimeSpan Modeled, long Transactions, long WaitRetries, TimeSpan Wall, bool Verified);
}
