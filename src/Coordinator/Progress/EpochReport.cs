namespace RnnCluster.Coordinator.Progress;

/// <summary>
/// What one finished epoch reports: the mean training loss, the validation loss when there is validation
/// data, throughput, how many workers took part, and the wall time since the run started.
/// </summary>
public sealed record EpochReport(
    int Epoch, int Epochs, double Loss, double? ValLoss, double SeqPerSec, int Workers, double ElapsedSec);
