using System.Globalization;
using System.Text.RegularExpressions;
using RnnCluster.Coordinator.Training;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// What a run that ends early says: where it stood, its checkpoint, and the command that goes on from there,
/// with the flags that must stay the same (cluster mode and its node, the checkpoint interval).
/// </summary>
internal static partial class ResumeCommand
{
    public static void ReportStopped(TextWriter output, TrainOptions options, TrainingStoppedException stopped, int minibatches)
    {
        var state = stopped.State;
        if (stopped.Checkpoint is null)
        {
            output.WriteLine("stopped before the first step: nothing to resume");
            return;
        }
        var where = state.Minibatch == 0
            ? $"after epoch {state.Epoch}"
            : $"in epoch {state.Epoch + 1} after minibatch {state.Minibatch} of {minibatches}";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopped {where} (step {state.Step}); checkpoint {stopped.Checkpoint}"));
        output.WriteLine($"resume with: {For(options)}");
    }

    public static void ReportFailed(TextWriter output, TrainOptions options, TrainingFailedException failed)
    {
        output.WriteLine($"error: {failed.Message}");
        if (failed.Checkpoint is null) return;
        if (failed.InnerException is TrainingDivergedException diverged)
        {
            // Resuming would meet the same values again: the way on is a new run with another config.
            var weights = diverged.LastGoodStep == 0 ? "the initial weights" : $"the weights of step {diverged.LastGoodStep}";
            output.WriteLine($"last good checkpoint: {failed.Checkpoint} ({weights}, the last good ones)");
            output.WriteLine("the same config diverges again from there: lower training.optimizer.learningRate or set training.clipNorm " +
                "and train a new run (a checkpoint's weights serve as --init-weights)");
            return;
        }
        output.WriteLine($"last checkpoint: {failed.Checkpoint}");
        output.WriteLine($"resume with: {For(options)}");
    }

    /// <summary>`rnn-cluster train --resume DIR ...`, each word quoted for a POSIX shell where it needs it.</summary>
    public static string For(TrainOptions options)
    {
        var words = new List<string> { "rnn-cluster", "train", "--resume", options.OutDir };
        if (options.CheckpointEvery is { } every) words.AddRange(["--checkpoint-every", Number(every)]);
        if (options.Cluster is { } cluster)
        {
            var node = cluster.Node;
            words.AddRange(["--cluster", "--host", node.Host, "--port", Number(node.Port)]);
            if (node.PublicHost is { } publicHost) words.AddRange(["--public-host", publicHost]);
            if (node.SeedNodes.Count > 0) words.AddRange(["--seed-nodes", string.Join(",", node.SeedNodes)]);
            switch (node.Discovery)
            {
                case ContactPointList list:
                    words.AddRange(["--discovery", list.Mode, "--contact-points", string.Join(",", list.ContactPoints)]);
                    break;
                case KubernetesPods pods:
                    words.AddRange(["--discovery", pods.Mode, "--pod-label", pods.LabelSelector]);
                    break;
            }
            if (node.ManagementPort is { } management) words.AddRange(["--management-port", Number(management)]);
            words.AddRange(["--min-workers", Number(cluster.MinWorkers)]);
        }
        return string.Join(" ", words.Select(Quote));
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string word) => PlainWord().IsMatch(word) ? word : $"'{word.Replace("'", @"'\''")}'";

    [GeneratedRegex(@"^[A-Za-z0-9_./:=@,+-]+$")]
    private static partial Regex PlainWord();
}
