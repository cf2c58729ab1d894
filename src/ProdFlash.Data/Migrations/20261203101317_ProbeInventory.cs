using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ProdFlash.Data.Migrations
{
    /// <inheritdoc />
    public partial class ProbeInventory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Anomalies",
                table: "Probes",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "BoundSlotId",
                table: "Probes",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "LastVoltage",
                table: "Probes",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LastVoltageAt",
                table: "Probes",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PortPath",
                table: "Probes",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Probes_BoundSlotId",
                table: "Probes",
                column: "BoundSlotId");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Actor_At",
                table: "AuditEvents",
                columns: new[] { "Actor", "At" });

            migrationBuilder.AddForeignKey(
                name: "FK_Probes_Slots_BoundSlotId",
                table: "Probes",
                column: "BoundSlotId",
                principalTable: "Slots",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Probes_Slots_BoundSlotId",
                table: "Probes");

            migrationBuilder.DropIndex(
                name: "IX_Probes_BoundSlotId",
                table: "Probes");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_Actor_At",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "Anomalies",
                table: "Probes");

            migrationBuilder.DropColumn(
                name: "BoundSlotId",
                table: "Probes");

            migrationBuilder.DropColumn(
                name: "LastVoltage",
                table: "Probes");

            migrationBuilder.DropColumn(
                name: "LastVoltageAt",
                table: "Probes");

            migrationBuilder.DropColumn(
                name: "PortPath",
                table: "Probes");
        }
    }
}
