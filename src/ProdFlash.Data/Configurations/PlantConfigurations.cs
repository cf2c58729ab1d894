using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using ProdFlash.Data.Entities;

namespace ProdFlash.Data.Configurations;

internal sealed class StationConfiguration : IEntityTypeConfiguration<Station>
{
    public void Configure(EntityTypeBuilder<Station> builder)
    {
        builder.Property(s => s.Name).HasMaxLength(64);
        builder.Property(s => s.Location).HasMaxLength(200);
        builder.HasIndex(s => s.Name).IsUnique();
        builder.HasMany(s => s.Fixtures).WithOne(f => f.Station).HasForeignKey(f => f.StationId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class FixtureConfiguration : IEntityTypeConfiguration<Fixture>
{
    public void Configure(EntityTypeBuilder<Fixture> builder)
    {
        builder.Property(f => f.Name).HasMaxLength(64);
        builder.HasIndex(f => new { f.StationId, f.Name }).IsUnique();
        builder.HasMany(f => f.Slots).WithOne(s => s.Fixture).HasForeignKey(s => s.FixtureId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(f => f.AssignedRecipe).WithMany().HasForeignKey(f => f.AssignedRecipeId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SlotConfiguration : IEntityTypeConfiguration<Slot>
{
    public void Configure(EntityTypeBuilder<Slot> builder)
    {
        builder.Property(s => s.ProbeSelector).HasMaxLength(300);
        builder.HasIndex(s => new { s.FixtureId, s.Position }).IsUnique();
    }
}

internal sealed class ProbeConfiguration : IEntityTypeConfiguration<Probe>
{
    public void Configure(EntityTypeBuilder<Probe> builder)
    {
        builder.Property(p => p.Serial).HasMaxLength(64);
        builder.Property(p => p.Kind).HasMaxLength(32);
        builder.Property(p => p.FirmwareVersion).HasMaxLength(32);
        builder.Property(p => p.PortPath).HasMaxLength(64);
        builder.Property(p => p.Anomalies).HasMaxLength(2000);
        builder.HasIndex(p => p.Serial).IsUnique();
        builder.HasOne(p => p.BoundSlot).WithMany().HasForeignKey(p => p.BoundSlotId).OnDelete(DeleteBehavior.SetNull);
    }
}
