using System.Buffers.Binary;

using ProdFlash.Core.Targets;

namespace ProdFlash.Programming.Verify;

/// <summary>The on-chip CRC could not be used (a DMA transfer error, a channel already in use, no completion).</summary>
/// <remarks>The engine falls back to a readback and records this message in the phase ledger.</remarks>
public sealed class OnChipCrcUnavailableException : Exception
{
    /// <summary>Creates the exception with what was found.</summary>
    public OnChipCrcUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with what was found and its cause.</summary>
    public OnChipCrcUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public OnChipCrcUnavailableException()
        : base("The on-chip CRC could not be used.")
    {
    }
}

/// <summary>
/// Runs the chip's CRC unit over flash with a memory-to-memory DMA transfer, set up purely by debug memory writes (no
/// code runs on the target; the core stays halted): <see cref="StartAsync"/> saves the registers it will touch and
/// switches the clocks on, <see cref="ChecksumAsync"/> runs one transfer and returns CRC_DR, <see cref="RestoreAsync"/>
/// puts everything back. Register facts: <see cref="OnChipCrcMap"/>, docs/onchip-verify.md.
/// </summary>
/// <remarks>
/// Not thread-safe: used by the runner that owns the probe. Register writes are grouped into block writes where the
/// registers are contiguous (the flag clear and the whole channel set-up in one memory command), so one transfer costs
/// a handful of probe round trips whatever its length.
/// </remarks>
public sealed class OnChipCrcSession
{
    // Channel DMA (RM0008/RM0360/RM0444/RM0351 DMA_CCRx): MEM2MEM b14, MSIZE[11:10] = 10 (32-bit), PSIZE[9:8] = 10,
    // MINC b7, DIR b4 = 1 (read from CMAR — the flash — and write to CPAR — CRC_DR); EN b0.
    private const uint ChannelConfig = (1u << 14) | (2u << 10) | (2u << 8) | (1u << 7) | (1u << 4);
    private const uint ChannelEnable = 1u << 0;
    private const uint ChannelTeif1 = 1u << 3;
    private const uint ChannelClearAll1 = 0xF; // IFCR CGIF1|CTCIF1|CHTIF1|CTEIF1

    // Stream DMA (RM0090 DMA_SxCR): DIR[7:6] = 10 memory-to-memory (PAR = source, M0AR = destination), PINC b9,
    // PSIZE[12:11] = 10, MSIZE[14:13] = 10; EN b0. LISR stream 0: FEIF0 b0, DMEIF0 b2, TEIF0 b3, HTIF0 b4, TCIF0 b5.
    private const uint StreamConfig = (2u << 6) | (1u << 9) | (2u << 11) | (2u << 13);
    private const uint StreamEnable = 1u << 0;
    private const uint StreamTeif0 = 1u << 3;
    private const uint StreamTcif0 = 1u << 5;
    private const uint StreamClearAll0 = 0x3D;

    // L4 DMA1_CSELR C1S[3:0]: the request of channel 1 (unused by memory-to-memory; cleared while verifying).
    private const uint CselrChannel1Mask = 0xF;

    /// <summary>AHB clocks per word beyond which a transfer is taken as stuck (engine bound, far above any real DMA).</summary>
    private const double SlowestCyclesPerWord = 64;

    private readonly ITargetMemory _memory;
    private readonly OnChipCrcMap _map;
    private readonly TimeProvider _clock;
    private uint _rccBefore;
    private bool _rccChanged;
    private byte[] _crcBefore = [];
    private byte[] _dmaBefore = [];
    private uint? _muxBefore;
    private bool _started;

    /// <summary>Creates a session on <paramref name="memory"/> for a chip of <paramref name="map"/>'s family.</summary>
    /// <param name="memory">Target memory (a halted core).</param>
    /// <param name="map">Where the CRC unit and the DMA sit.</param>
    /// <param name="clock">Timestamps for the stuck-transfer bound (modeled time on the emulator).</param>
    public OnChipCrcSession(ITargetMemory memory, OnChipCrcMap map, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(clock);
        _memory = memory;
        _map = map;
        _clock = clock;
    }

    /// <summary>The DMA this session uses, in words (for the ledger).</summary>
    public string DmaName => _map.StreamDma ? "DMA2 stream 0" : "DMA1 channel 1";

    /// <summary>What <see cref="RestoreAsync"/> could not put back exactly, or null.</summary>
    public string? NotRestored { get; private set; }

    private int CrcSaveBytes => _map.Crc switch
    {
        CrcRegisterSet.Fixed => 12, // DR, IDR, CR
        CrcRegisterSet.Init => 20, // .. reserved, INIT
        _ => 24, // .. POL
    };

    /// <summary>Saves the CRC, DMA and RCC registers it will change, enables the clocks and resets the CRC unit.</summary>
    /// <exception cref="OnChipCrcUnavailableException">The DMA channel is already enabled (firmware owns it).</exception>
    /// <exception cref="TargetException">The probe or the chip failed (a bus fault where no CRC unit answers).</exception>
    public async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        _rccBefore = await _memory.ReadUInt32Async(_map.RccEnableAddress, cancellationToken).ConfigureAwait(false);
        var wanted = _rccBefore | _map.DmaEnableMask | _map.CrcEnableMask;
        if (wanted != _rccBefore)
        {
            await _memory.WriteUInt32Async(_map.RccEnableAddress, wanted, cancellationToken).ConfigureAwait(false);
            _rccChanged = true;
        }

        _started = true;
        _crcBefore = new byte[CrcSaveBytes];
        await _memory.ReadAsync(OnChipCrcMap.CrcBase, _crcBefore, AccessWidth.Word, cancellationToken).ConfigureAwait(false);
        _dmaBefore = new byte[_map.StreamDma ? 0x28 : 0x18];
        await _memory.ReadAsync(_map.DmaBase, _dmaBefore, AccessWidth.Word, cancellationToken).ConfigureAwait(false);
        var control = Word(_dmaBefore, _map.StreamDma ? 0x10 : 0x08);
        if ((control & (_map.StreamDma ? StreamEnable : ChannelEnable)) != 0)
        {
            throw new OnChipCrcUnavailableException($"{DmaName} is enabled (control register 0x{control:X8}): firmware owns it");
        }

        if (_map.DmaMuxChannel0 is { } mux)
        {
            // G0: DMAMUX channel 0 routes a request to DMA channel 1; memory-to-memory needs none (request 0).
            _muxBefore = await _memory.ReadUInt32Async(mux, cancellationToken).ConfigureAwait(false);
            if (_muxBefore != 0)
            {
                await _memory.WriteUInt32Async(mux, 0, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (_map.ChannelSelection is { } cselr)
        {
            _muxBefore = await _memory.ReadUInt32Async(cselr, cancellationToken).ConfigureAwait(false);
            if ((_muxBefore & CselrChannel1Mask) != 0)
            {
                await _memory.WriteUInt32Async(cselr, _muxBefore.Value & ~CselrChannel1Mask, cancellationToken).ConfigureAwait(false);
            }
        }

        if (_map.Crc != CrcRegisterSet.Fixed && Word(_crcBefore, 0x10) != Stm32Crc.InitialValue)
        {
            await _memory.WriteUInt32Async(OnChipCrcMap.CrcInit, Stm32Crc.InitialValue, cancellationToken).ConfigureAwait(false);
        }

        if (_map.Crc == CrcRegisterSet.InitAndPolynomial && Word(_crcBefore, 0x14) != Stm32Crc.Polynomial)
        {
            await _memory.WriteUInt32Async(OnChipCrcMap.CrcPol, Stm32Crc.Polynomial, cancellationToken).ConfigureAwait(false);
        }

        await ResetCrcAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads CRC_DR with 0xFFFFFFFF and selects the plain configuration (no reversal, 32-bit polynomial).</summary>
    public ValueTask ResetCrcAsync(CancellationToken cancellationToken) =>
        _memory.WriteUInt32Async(OnChipCrcMap.CrcCr, OnChipCrcMap.CrcCrReset, cancellationToken);

    /// <summary>
    /// Feeds <paramref name="words"/> words of flash from <paramref name="address"/> through the CRC unit with one DMA
    /// transfer and returns CRC_DR afterwards (continuing from whatever CRC_DR held).
    /// </summary>
    /// <exception cref="OnChipCrcUnavailableException">The transfer ended in an error or did not complete.</exception>
    public async ValueTask<uint> ChecksumAsync(uint address, int words, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(words);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(words, OnChipCrcMap.MaxItems);
        if (_map.StreamDma)
        {
            // LIFCR (clear stream 0), HIFCR, S0CR (disabled), S0NDTR, S0PAR = source, S0M0AR = CRC_DR: one block write.
            await WriteWordsAsync(_map.DmaBase + 0x08, [StreamClearAll0, 0, StreamConfig, (uint)words, address, OnChipCrcMap.CrcDr], cancellationToken).ConfigureAwait(false);
            await _memory.WriteUInt32Async(_map.DmaBase + 0x10, StreamConfig | StreamEnable, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // IFCR (clear channel 1), CCR1 (disabled), CNDTR1, CPAR1 = CRC_DR, CMAR1 = source: one block write.
            await WriteWordsAsync(_map.DmaBase + 0x04, [ChannelClearAll1, ChannelConfig, (uint)words, OnChipCrcMap.CrcDr, address], cancellationToken).ConfigureAwait(false);
            await _memory.WriteUInt32Async(_map.DmaBase + 0x08, ChannelConfig | ChannelEnable, cancellationToken).ConfigureAwait(false);
        }

        await WaitForCompletionAsync(address, words, cancellationToken).ConfigureAwait(false);
        return await _memory.ReadUInt32Async(OnChipCrcMap.CrcDr, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts the DMA channel, the CRC unit (configuration and, where INIT exists or it held its reset value, CRC_DR) and
    /// the RCC clock enables back as <see cref="StartAsync"/> found them.
    /// </summary>
    public async ValueTask RestoreAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            return;
        }

        _started = false;
        var notRestored = new List<string>();
        if (_dmaBefore.Length > 0)
        {
            if (_map.StreamDma)
            {
                // LIFCR, HIFCR, S0CR, S0NDTR, S0PAR, S0M0AR, S0M1AR, S0FCR.
                await WriteWordsAsync(_map.DmaBase + 0x08,
                    [StreamClearAll0, 0, Word(_dmaBefore, 0x10), Word(_dmaBefore, 0x14), Word(_dmaBefore, 0x18), Word(_dmaBefore, 0x1C), Word(_dmaBefore, 0x20), Word(_dmaBefore, 0x24)],
                    cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // A channel stays enabled after its transfer (normal mode) and its configuration bits are read-only while
                // EN = 1: disable it first, then write every register back in one block.
                await _memory.WriteUInt32Async(_map.DmaBase + 0x08, 0, cancellationToken).ConfigureAwait(false);
                await WriteWordsAsync(_map.DmaBase + 0x04,
                    [ChannelClearAll1, Word(_dmaBefore, 0x08), Word(_dmaBefore, 0x0C), Word(_dmaBefore, 0x10), Word(_dmaBefore, 0x14)],
                    cancellationToken).ConfigureAwait(false);
            }

            var flagsBefore = Word(_dmaBefore, 0) & (_map.StreamDma ? StreamClearAll0 : ChannelClearAll1);
            if (flagsBefore != 0)
            {
                notRestored.Add($"{DmaName} flags 0x{flagsBefore:X} (status bits cannot be set by software; cleared)");
            }
        }

        if (_muxBefore is { } mux)
        {
            if (_map.DmaMuxChannel0 is { } muxAddress && mux != 0)
            {
                await _memory.WriteUInt32Async(muxAddress, mux, cancellationToken).ConfigureAwait(false);
            }
            else if (_map.ChannelSelection is { } cselr && (mux & CselrChannel1Mask) != 0)
            {
                await _memory.WriteUInt32Async(cselr, mux, cancellationToken).ConfigureAwait(false);
            }
        }

        if (_crcBefore.Length > 0)
        {
            await RestoreCrcAsync(notRestored, cancellationToken).ConfigureAwait(false);
        }

        if (_rccChanged)
        {
            await _memory.WriteUInt32Async(_map.RccEnableAddress, _rccBefore, cancellationToken).ConfigureAwait(false);
        }

        NotRestored = notRestored.Count == 0 ? null : string.Join("; ", notRestored);
    }

    private static uint Word(byte[] block, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(offset, 4));

    private async ValueTask RestoreCrcAsync(List<string> notRestored, CancellationToken cancellationToken)
    {
        var dr = Word(_crcBefore, 0x00);
        var cr = Word(_crcBefore, 0x08) & ~OnChipCrcMap.CrcCrReset;
        var init = _map.Crc == CrcRegisterSet.Fixed ? Stm32Crc.InitialValue : Word(_crcBefore, 0x10);
        if (_map.Crc == CrcRegisterSet.InitAndPolynomial && Word(_crcBefore, 0x14) != Stm32Crc.Polynomial)
        {
            await _memory.WriteUInt32Async(OnChipCrcMap.CrcPol, Word(_crcBefore, 0x14), cancellationToken).ConfigureAwait(false);
        }

        if (dr == init)
        {
            // CR.RESET loads DR with INIT, which is what DR held: one write restores both.
            if (_map.Crc != CrcRegisterSet.Fixed && init != Stm32Crc.InitialValue)
            {
                await _memory.WriteUInt32Async(OnChipCrcMap.CrcInit, init, cancellationToken).ConfigureAwait(false);
            }

            await _memory.WriteUInt32Async(OnChipCrcMap.CrcCr, cr | OnChipCrcMap.CrcCrReset, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_map.Crc != CrcRegisterSet.Fixed)
        {
            // DR is loaded through INIT: INIT = old DR, RESET, then INIT and CR back.
            await _memory.WriteUInt32Async(OnChipCrcMap.CrcInit, dr, cancellationToken).ConfigureAwait(false);
            await _memory.WriteUInt32Async(OnChipCrcMap.CrcCr, OnChipCrcMap.CrcCrReset, cancellationToken).ConfigureAwait(false);
            await _memory.WriteUInt32Async(OnChipCrcMap.CrcInit, init, cancellationToken).ConfigureAwait(false);
            await _memory.WriteUInt32Async(OnChipCrcMap.CrcCr, cr, cancellationToken).ConfigureAwait(false);
            return;
        }

        // F1/F4: DR can only be reset to 0xFFFFFFFF; the firmware's partial CRC is lost (the reset at Finalize clears it anyway).
        await _memory.WriteUInt32Async(OnChipCrcMap.CrcCr, OnChipCrcMap.CrcCrReset, cancellationToken).ConfigureAwait(false);
        notRestored.Add($"CRC_DR held 0x{dr:X8}; reset to 0xFFFFFFFF (this CRC unit cannot load a value)");
    }

    private async ValueTask WriteWordsAsync(uint address, uint[] words, CancellationToken cancellationToken)
    {
        var bytes = new byte[words.Length * 4];
        for (var i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), words[i]);
        }

        await _memory.WriteAsync(address, bytes, AccessWidth.Word, cancellationToken).ConfigureAwait(false);
    }

    // Polls the status and the item counter together (one memory command) until the transfer ends. No timed wait: a
    // poll costs one probe round trip, which is about the granularity a wait could reach anyway, and it needs nothing
    // of the clock but timestamps (the emulator's modeled time moves with each transaction).
    private async ValueTask WaitForCompletionAsync(uint address, int words, CancellationToken cancellationToken)
    {
        var started = _clock.GetTimestamp();
        var giveUp = TimeSpan.FromSeconds(Math.Max(0.1, words * SlowestCyclesPerWord / _map.ResetHclkHz));
        var status = new byte[_map.StreamDma ? 0x18 : 0x10];
        while (true)
        {
            await _memory.ReadAsync(_map.DmaBase, status, AccessWidth.Word, cancellationToken).ConfigureAwait(false);
            var flags = Word(status, 0x00);
            int remaining;
            if (_map.StreamDma)
            {
                remaining = (int)(Word(status, 0x14) & 0xFFFF);
                if ((flags & StreamTeif0) != 0)
                {
                    throw new OnChipCrcUnavailableException($"{DmaName} reported a transfer error (DMA_LISR 0x{flags:X8}) reading 0x{address:X8}..+{words * 4}");
                }

                if ((flags & StreamTcif0) != 0)
                {
                    return;
                }
            }
            else
            {
                remaining = (int)(Word(status, 0x0C) & 0xFFFF);
                if ((flags & ChannelTeif1) != 0)
                {
                    throw new OnChipCrcUnavailableException($"{DmaName} reported a transfer error (DMA_ISR 0x{flags:X8}) reading 0x{address:X8}..+{words * 4}");
                }

                if (remaining == 0)
                {
                    return;
                }
            }

            var elapsed = _clock.GetElapsedTime(started);
            if (elapsed > giveUp)
            {
                throw new OnChipCrcUnavailableException($"{DmaName} did not finish {words} words in {elapsed.TotalMilliseconds:F1} ms ({remaining} left)");
            }
        }
    }
}
