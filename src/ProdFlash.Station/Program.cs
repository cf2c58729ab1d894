using ProdFlash.Station;
using ProdFlash.Station.Api;

var builder = WebApplication.CreateBuilder(args);
builder.AddStationServices();

var app = builder.Build();
app.MapStationApi();
return await app.RunStationAsync();
