using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ProdFlash.Data.Migrations
{
    /// <inheritdoc />
    public partial class FixtureRecipeAssignment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ObsoletedAt",
                table: "Recipes",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AssignedRecipeId",
                table: "Fixtures",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Fixtures_AssignedRecipeId",
                table: "Fixtures",
                column: "AssignedRecipeId");

            migrationBuilder.AddForeignKey(
                name: "FK_Fixtures_Recipes_AssignedRecipeId",
                table: "Fixtures",
                column: "AssignedRecipeId",
                principalTable: "Recipes",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Fixtures_Recipes_AssignedRecipeId",
                table: "Fixtures");

            migrationBuilder.DropIndex(
                name: "IX_Fixtures_AssignedRecipeId",
                table: "Fixtures");

            migrationBuilder.DropColumn(
                name: "ObsoletedAt",
                table: "Recipes");

            migrationBuilder.DropColumn(
                name: "AssignedRecipeId",
                table: "Fixtures");
        }
    }
}
