using System.Runtime.InteropServices;
using RnnCluster.Worker;

using var stop = new CancellationTokenSource();
// SIGTERM (docker stop, systemd, Kubernetes) and Ctrl+C both mean: leave the cluster and exit 0. The worker
// runs its own shutdown (WorkerService), so the signal's default, an immediate exit, is cancelled.
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
return await WorkerApp.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, stop.Token);

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
