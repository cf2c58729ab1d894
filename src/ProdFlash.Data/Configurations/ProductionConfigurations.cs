using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using ProdFlash.Data.Entities;

namespace ProdFlash.Data.Configurations;

internal sealed class RunConfiguration : IEntityTypeConfiguration<Run>
{
    public void Configure(EntityTypeBuilder<Run> builder)
    {
        builder.Property(r => r.Operator).HasMaxLength(64);
        builder.Property(r => r.LotCode).HasMaxLength(64);
        builder.HasOne(r => r.Fixture).WithMany().HasForeignKey(r => r.FixtureId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(r => r.Recipe).WithMany().HasForeignKey(r => r.RecipeId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(r => r.StartedAt);
    }
}

/// <summary>The attempt table: the one that grows to millions of rows. Index choices are explained in docs/data.md.</summary>
internal sealed class AttemptConfiguration : IEntityTypeConfiguration<Attempt>
{
    public void Configure(EntityTypeBuilder<Attempt> builder)
    {
        builder.Property(a => a.ProbeSerial).HasMaxLength(64);
        builder.Property(a => a.McuUid).HasMaxLength(24);
        builder.Property(a => a.DevicePart).HasMaxLength(32);
        builder.Property(a => a.Genuineness).HasMaxLength(64);
        builder.Property(a => a.SerialText).HasMaxLength(64);
        builder.Property(a => a.OptionBytesBefore).HasMaxLength(512);
        builder.Property(a => a.OptionBytesAfter).HasMaxLength(512);
        builder.Property(a => a.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.FailureCode).HasConversion<string>().HasMaxLength(40);
        builder.Property(a => a.FailedPhase).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.StartedAt).HasField("_startedAt");
        builder.Property(a => a.StartedHour);

        builder.HasOne(a => a.Run).WithMany().HasForeignKey(a => a.RunId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(a => a.Station).WithMany().HasForeignKey(a => a.StationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Fixture>().WithMany().HasForeignKey(a => a.FixtureId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(a => a.Slot).WithMany().HasForeignKey(a => a.SlotId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(a => a.Recipe).WithMany().HasForeignKey(a => a.RecipeId).OnDelete(DeleteBehavior.Restrict);

        // Report indexes. Every yield / FPY / Pareto query filters a time range and counts State, IsFirstAttempt and
        // FailureCode, so each index below carries those columns and the query reads the index alone (covering), never
        // the wide rows. SQLite picks an index whose leading column is the GROUP BY key (it saves the sort), so each
        // grouping key leads one index; the rest of the columns make it covering. docs/data.md has the query plans.
        // Hour first: totals per hour (the roll-up source of days and shifts) stream out of index order without a sort;
        // the queries bound StartedHour as well as StartedAt so the range is a seek.
        builder.HasIndex(a => new { a.StartedHour, a.StartedAt, a.State, a.IsFirstAttempt, a.FailureCode })
            .HasDatabaseName("IX_Attempts_Time");
        builder.HasIndex(a => new { a.StationId, a.StartedAt, a.StartedHour, a.State, a.IsFirstAttempt, a.FailureCode })
            .HasDatabaseName("IX_Attempts_Station_Time");
        builder.HasIndex(a => new { a.FixtureId, a.StartedAt, a.StartedHour, a.State, a.IsFirstAttempt })
            .HasDatabaseName("IX_Attempts_Fixture_Time");
        builder.HasIndex(a => new { a.SlotId, a.StartedAt, a.StartedHour, a.State, a.IsFirstAttempt })
            .HasDatabaseName("IX_Attempts_Slot_Time");
        builder.HasIndex(a => new { a.RecipeId, a.State, a.StartedAt, a.StartedHour, a.IsFirstAttempt })
            .HasDatabaseName("IX_Attempts_Recipe_State_Time");

        // Unit look-ups (traceability: every attempt of a unit by UID, by serial) and the attempts of a run.
        builder.HasIndex(a => a.McuUid);
        builder.HasIndex(a => a.SerialText);
        builder.HasIndex(a => a.RunId);

        // Start-up recovery finds Running rows through this partial index (a handful of entries at most).
        builder.HasIndex(a => a.State).HasFilter("\"State\" = 'Running'").HasDatabaseName("IX_Attempts_Running");
    }
}

internal sealed class SerialEntryConfiguration : IEntityTypeConfiguration<SerialEntry>
{
    public void Configure(EntityTypeBuilder<SerialEntry> builder)
    {
        builder.ToTable("SerialLedger");
        builder.Property(s => s.Scheme).HasMaxLength(100);
        builder.Property(s => s.Text).HasMaxLength(64);
        builder.Property(s => s.State).HasConversion<string>().HasMaxLength(16);

        // One value per scheme, ever: the unique index is the last line of defence, and its order gives the
        // highest value ever reserved (voided included) in one index seek.
        builder.HasIndex(s => new { s.Scheme, s.Sequence }).IsUnique();
        builder.HasIndex(s => s.State).HasFilter("\"State\" = 'Reserved'").HasDatabaseName("IX_SerialLedger_Reserved");
    }
}
