using RnnCluster.Coordinator.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C stops the run cleanly (a model already in --out is untouched); a second one kills it.
    e.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
};
return RnnClusterApp.Run(args, Console.Out, Console.Error, cancellation.Token);
