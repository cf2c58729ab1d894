using ProdFlash.Core.Probes;
using ProdFlash.Data;
using ProdFlash.Data.Serials;
using ProdFlash.Programming.Engine;

namespace ProdFlash.Station.Runtime;

/// <summary>What every slot runner shares: the store's writers, the probe providers, the engine, the status store.</summary>
/// <param name="StationName">The station's name (rendered into serials).</param>
/// <param name="Recorder">Writes attempts.</param>
/// <param name="Ledger">Reserves serials.</param>
/// <param name="Providers">Opens probes by selector.</param>
/// <param name="Engine">Runs attempts.</param>
/// <param name="Status">The live status.</param>
/// <param name="Time">The station's clock.</param>
/// <param name="DataDirectory">The store's folder, named in the error a refused write shows.</param>
/// <param name="History">Finds a slot's earlier contact with a board (evidence for a silent chip).</param>
internal sealed record StationServices(
    string StationName,
    AttemptRecorder Recorder,
    SerialLedger Ledger,
    ProbeProviders Providers,
    AttemptEngine Engine,
    StatusStore Status,
    TimeProvider Time,
    SlotHistory History,
    string DataDirectory);
