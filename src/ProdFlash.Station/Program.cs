using ProdFlash.Station;
using ProdFlash.Station.Api;
using ProdFlash.Station.Dashboard;

var builder = WebApplication.CreateBuilder(args);
builder.AddStationServices();
builder.AddStationDashboard();

var app = builder.Build();
app.MapStationApi();
app.MapStationDashboard();
return await app.RunStationAsync();
