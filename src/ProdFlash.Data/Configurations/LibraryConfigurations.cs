using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using ProdFlash.Data.Entities;

namespace ProdFlash.Data.Configurations;

internal sealed class FirmwareImageConfiguration : IEntityTypeConfiguration<FirmwareImage>
{
    public void Configure(EntityTypeBuilder<FirmwareImage> builder)
    {
        builder.Property(i => i.Sha256).HasMaxLength(64).IsFixedLength();
        builder.Property(i => i.FileName).HasMaxLength(260);
        builder.Property(i => i.Format).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.TargetPart).HasMaxLength(32);
        builder.Property(i => i.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.UploadedBy).HasMaxLength(64);
        builder.Property(i => i.ReleasedBy).HasMaxLength(64);
        builder.HasIndex(i => i.Sha256).IsUnique();
    }
}

internal sealed class RecipeConfiguration : IEntityTypeConfiguration<RecipeRecord>
{
    public void Configure(EntityTypeBuilder<RecipeRecord> builder)
    {
        builder.ToTable("Recipes");
        builder.Property(r => r.Name).HasMaxLength(100);
        builder.Property(r => r.Version).HasMaxLength(32);
        builder.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.ImageSha256).HasMaxLength(64).IsFixedLength();
        builder.Property(r => r.CreatedBy).HasMaxLength(64);
        builder.Property(r => r.ReleasedBy).HasMaxLength(64);
        builder.HasIndex(r => new { r.Name, r.Version }).IsUnique();
    }
}
