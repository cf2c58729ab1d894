using Microsoft.Extensions.Time.Testing;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Flash;

namespace ProdFlash.Programming.Tests.Flash;

/// <summary>
/// The BSY wait blames the chip only for time it was seen busy: a host that stalls between its clock reading and its
/// status read (a loaded line PC, a GC pause) must not turn a normal page erase into EraseFailed.
/// </summary>
public sealed class BusyWaitTests
{
    private const uint Key1 = 0x45670123;
    private const uint Key2 = 0xCDEF89AB;
    private const uint F1Keyr = 0x40022004;
    private const uint F1Sr = 0x4002200C;
    private const uint F1Cr = 0x40022010;

    [Fact]
    public async Task EraseAsync_HostStallsLongerThanTheBoundWhileTheChipIsBusy_WaitsForTheNextReadAndPasses()
    {
        // Arrange: the first SR read shows BSY and the host then stalls 500 ms (the page-erase bound is 80 ms); the chip
        // has long finished by the next read.
        var time = new FakeTimeProvider();
        var registers = new ScriptedRegisterMemory(Key1, Key2);
        registers.AddLockedControl(F1Keyr, F1Cr, 1u << 7);
        registers.AddStatus(F1Sr);
        var memory = new StallingStatus(registers, time, F1Sr, stall: TimeSpan.FromMilliseconds(500));
        var part = DeviceCatalog.Default.FindPart("stm32f103c8")!;
        var driver = FlashDrivers.Create(part, memory, time);
        await driver.UnlockAsync(TestContext.Current.CancellationToken);

        // Act
        await driver.EraseAsync([part.Layout.Units.ElementAt(3)], null, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(2, memory.StatusReads);
    }

    [Fact]
    public async Task EraseAsync_ChipStaysBusyPastTheBound_FailsEraseFailedNamingThePage()
    {
        // Arrange: BSY never clears; every status read takes 10 ms.
        var time = new FakeTimeProvider();
        var registers = new ScriptedRegisterMemory(Key1, Key2);
        registers.AddLockedControl(F1Keyr, F1Cr, 1u << 7);
        registers.AddStatus(F1Sr);
        var memory = new StallingStatus(registers, time, F1Sr, stall: TimeSpan.FromMilliseconds(10), busyReads: int.MaxValue);
        var part = DeviceCatalog.Default.FindPart("stm32f103c8")!;
        var driver = FlashDrivers.Create(part, memory, time);
        await driver.UnlockAsync(TestContext.Current.CancellationToken);

        // Act
        var error = await Assert.ThrowsAsync<FlashOperationException>(async () => await driver.EraseAsync([part.Layout.Units.ElementAt(3)], null, TestContext.Current.CancellationToken));

        // Assert
        Assert.Equal(FlashFailureKind.EraseFailed, error.Kind);
        Assert.Contains("0x08000C00", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Answers the status register with BSY for the first reads, advancing the clock by <c>stall</c> after each.</summary>
    private sealed class StallingStatus(ITargetMemory inner, FakeTimeProvider time, uint status, TimeSpan stall, int busyReads = 1) : ITargetMemory
    {
        public int StatusReads { get; private set; }

        public async ValueTask ReadAsync(uint address, Memory<byte> destination, AccessWidth width, CancellationToken cancellationToken)
        {
            await inner.ReadAsync(address, destination, width, cancellationToken);
            if (address == status && destination.Length >= 4)
            {
                StatusReads++;
                if (StatusReads <= busyReads)
                {
                    destination.Span[0] |= 1; // BSY
                    time.Advance(stall);
                }
            }
        }

        public ValueTask WriteAsync(uint address, ReadOnlyMemory<byte> source, AccessWidth width, CancellationToken cancellationToken) =>
            inner.WriteAsync(address, source, width, cancellationToken);
    }
}
