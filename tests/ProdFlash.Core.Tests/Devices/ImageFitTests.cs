using CsCheck;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Images;

namespace ProdFlash.Core.Tests.Devices;

public class ImageFitTests
{
    private static DevicePart Part(string number) => DeviceCatalog.Default.FindPart(number) ?? throw new InvalidOperationException($"no part {number}");

    private static MemoryImage Image(params (uint Address, int Length)[] segments) =>
        new(segments.Select(s => new ImageSegment(s.Address, new byte[s.Length])));

    [Fact]
    public void Check_ImageInsideFlash_FitsAndListsTouchedPages()
    {
        // STM32F103C8: 64 × 1 KiB pages from 0x08000000 (reference §2.4 F1 card).
        var image = Image((0x0800_0000, 2500));

        var fit = Part("stm32f103c8").Check(image);

        Assert.True(fit.Fits);
        Assert.Empty(fit.Outside);
        Assert.Equal(2500, fit.BytesInFlash);
        Assert.Equal([0, 1, 2], fit.Units.Select(u => u.Index).ToArray());
        Assert.Equal([0x0800_0000u, 0x0800_0400u, 0x0800_0800u], fit.Units.Select(u => u.Address).ToArray());
        Assert.All(fit.Units, u => Assert.Equal(1024u, u.Size));
        Assert.Equal(3072, fit.EraseBytes);
    }

    [Fact]
    public void Check_SegmentsOutsideFlash_AreReportedWithAddresses()
    {
        // An option-byte segment at 0x1FFFF800 and a RAM segment are not main flash.
        var image = Image((0x0800_0000, 16), (0x1FFF_F800, 16), (0x2000_0000, 64));

        var fit = Part("stm32f103c8").Check(image);

        Assert.False(fit.Fits);
        Assert.Equal([new AddressRange(0x1FFF_F800, 0x1FFF_F810), new AddressRange(0x2000_0000, 0x2000_0040)], fit.Outside);
        Assert.Equal(80, fit.BytesOutside);
        Assert.Equal(16, fit.BytesInFlash);
        Assert.Single(fit.Units);
    }

    [Fact]
    public void Check_SegmentStraddlingEndOfFlash_SplitsAtTheEnd()
    {
        // 64 KiB part: flash ends at 0x08010000; a 0x200-byte segment from 0x0800FF00 has 0x100 bytes past the end.
        var image = Image((0x0800_FF00, 0x200));

        var fit = Part("stm32f103c8").Check(image);

        Assert.False(fit.Fits);
        var outside = Assert.Single(fit.Outside);
        Assert.Equal(new AddressRange(0x0801_0000, 0x0801_0100), outside);
        Assert.Equal(0x100, fit.BytesInFlash);
        var page = Assert.Single(fit.Units);
        Assert.Equal(63, page.Index);
        Assert.Equal(0x0800_FC00u, page.Address);
    }

    [Fact]
    public void Check_SegmentBeforeFlash_IsOutside()
    {
        var image = Image((0x07FF_FFF0, 0x20));

        var fit = Part("stm32g071rb").Check(image);

        Assert.Equal(new AddressRange(0x07FF_FFF0, 0x0800_0000), Assert.Single(fit.Outside));
        Assert.Equal(0, Assert.Single(fit.Units).Index);
    }

    [Fact]
    public void Check_ImageAcrossSectorsOfDifferentSize_TouchesBoth()
    {
        // STM32F407VG: sector 3 is 16 KiB at 0x0800C000, sector 4 is 64 KiB at 0x08010000 (reference §2.3).
        var image = Image((0x0800_F000, 0x2000));

        var fit = Part("stm32f407vg").Check(image);

        Assert.True(fit.Fits);
        Assert.Equal(
            [new EraseUnit(3, 3, 0x0800_C000, 16384, 1), new EraseUnit(4, 4, 0x0801_0000, 65536, 1)],
            fit.Units);
        Assert.Equal(16384 + 65536, fit.EraseBytes);
    }

    [Fact]
    public void Check_TwoSegmentsInOnePage_ListThePageOnce()
    {
        var image = Image((0x0800_0010, 4), (0x0800_0100, 4));

        var fit = Part("stm32f030f4").Check(image);

        Assert.Equal(0, Assert.Single(fit.Units).Index);
        Assert.Equal(8, fit.BytesInFlash);
    }

    [Fact]
    public void Check_ImageAcrossBankBoundary_TouchesBothBanks()
    {
        // STM32F429ZI: bank 1 ends with 128 KiB sector 11 at 0x080E0000; bank 2 starts with 16 KiB sector 12
        // (SNB 0x10) at 0x08100000 (reference §2.3, §3.1).
        var image = Image((0x080F_FF00, 0x200));

        var fit = Part("stm32f429zi").Check(image);

        Assert.True(fit.Fits);
        Assert.Equal(
            [new EraseUnit(11, 11, 0x080E_0000, 131072, 1), new EraseUnit(12, 0x10, 0x0810_0000, 16384, 2)],
            fit.Units);
    }

    [Fact]
    public void Check_L4DualBankImage_UsesBankRelativePageNumbers()
    {
        // STM32L476RG: bank 2 at 0x08080000, PNB restarts at 0 (OCD-l4 stm32l4_erase).
        var image = Image((0x0807_FFF8, 16));

        var fit = Part("stm32l476rg").Check(image);

        Assert.Equal(
            [new EraseUnit(255, 255, 0x0807_F800, 2048, 1), new EraseUnit(256, 0, 0x0808_0000, 2048, 2)],
            fit.Units);
    }

    [Fact]
    public void Check_F1XlImageIntoBank2_ReportsBank2()
    {
        var image = Image((0x0808_0000, 10));

        var fit = Part("stm32f103zg").Check(image);

        var page = Assert.Single(fit.Units);
        Assert.Equal(2, page.Bank);
        Assert.Equal(256, page.Index);
    }

    [Fact]
    public void Check_EmptyImage_FitsAndTouchesNothing()
    {
        var fit = Part("stm32f103c8").Check(new MemoryImage([]));

        Assert.True(fit.Fits);
        Assert.Empty(fit.Units);
        Assert.Equal(0, fit.BytesInFlash);
    }

    [Theory]
    [InlineData("stm32f103c8")]
    [InlineData("stm32f103zf")]
    [InlineData("stm32f429zi")]
    [InlineData("stm32l476rg")]
    public void Check_RandomImages_AccountsForEveryByte(string partNumber)
    {
        var layout = Part(partNumber).Layout;
        var start = layout.Start - 0x1_0000u;
        var span = (int)Math.Min(layout.TotalSize / 4, 400_000);
        var gen = Gen.Select(Gen.Int[0, span], Gen.Int[1, span]).Array[1, 6];

        gen.Sample(pieces =>
        {
            var segments = new List<ImageSegment>();
            ulong address = start;
            foreach (var (gap, length) in pieces)
            {
                address += (ulong)gap + 1;
                if (address + (ulong)length > uint.MaxValue)
                {
                    break;
                }

                segments.Add(new ImageSegment((uint)address, new byte[length]));
                address += (ulong)length;
            }

            var image = new MemoryImage(segments);

            var fit = layout.Check(image);

            Assert.Equal(image.TotalBytes, fit.BytesInFlash + fit.BytesOutside);
            Assert.Equal(fit.Outside.Count == 0, fit.Fits);
            Assert.All(fit.Outside, range => Assert.Null(layout.UnitAt(range.Start)));
            Assert.All(fit.Outside, range => Assert.Null(layout.UnitAt((uint)(range.End - 1))));
            Assert.Equal(fit.Units.Select(u => u.Index).Distinct().Order(), fit.Units.Select(u => u.Index));
            Assert.All(fit.Units, u => Assert.Contains(image.Segments, s => s.Address < u.End && s.End > u.Address));
            foreach (var segment in image.Segments)
            {
                foreach (var edge in new[] { segment.Address, (uint)(segment.End - 1) })
                {
                    if (layout.UnitAt(edge) is { } unit)
                    {
                        Assert.Contains(unit, fit.Units);
                    }
                }
            }
        });
    }

    [Theory]
    [InlineData(0x0800_0000u, MemoryArea.MainFlash)]
    [InlineData(0x0800_FFFFu, MemoryArea.MainFlash)]
    [InlineData(0x0801_0000u, MemoryArea.Other)]
    [InlineData(0x1FFF_F800u, MemoryArea.OptionBytes)]
    [InlineData(0x1FFF_F80Fu, MemoryArea.OptionBytes)]
    [InlineData(0x1FFF_F810u, MemoryArea.Other)]
    [InlineData(0x2000_4FFFu, MemoryArea.Sram)]
    [InlineData(0x2000_5000u, MemoryArea.Other)]
    public void AreaAt_F103c8Addresses_NamesTheArea(uint address, MemoryArea expected)
    {
        // F103C8: 64 KiB flash at 0x08000000, 20 KiB SRAM at 0x20000000, 16-byte option bytes at 0x1FFFF800 (reference §4.2).
        Assert.Equal(expected, Part("stm32f103c8").AreaAt(address));
    }

    [Fact]
    public void AreaAt_F407vgCcm_IsSram()
    {
        Assert.Equal(MemoryArea.Sram, Part("stm32f407vg").AreaAt(0x1000_FFFF));
        Assert.Equal(MemoryArea.Other, Part("stm32f407vg").AreaAt(0x1001_0000));
    }

    [Fact]
    public void UnitAt_AddressOutsideFlash_ReturnsNull()
    {
        var layout = Part("stm32f103c8").Layout;

        Assert.Null(layout.UnitAt(0x0801_0000));
        Assert.Null(layout.UnitAt(0x07FF_FFFF));
        Assert.Equal(63, layout.UnitAt(0x0800_FFFF)!.Value.Index);
    }

    [Fact]
    public void Constructor_OverlappingRegions_Throws()
    {
        var regions = new[] { new FlashRegion(0x0800_0000, 1024, 4, 1, 0), new FlashRegion(0x0800_0800, 1024, 4, 1, 4) };

        var ex = Assert.Throws<ArgumentException>(() => new FlashLayout(regions));

        Assert.Contains("0x08000800", ex.Message, StringComparison.Ordinal);
    }
}
