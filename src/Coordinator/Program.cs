using RnnCluster.Coordinator.Cli;

using var stop = new CancellationTokenSource();
using var signals = new StopSignals(stop);
return RnnClusterApp.Run(args, Console.Out, Console.Error, stop.Token);
