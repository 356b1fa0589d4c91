using System.Globalization;
using System.Text.RegularExpressions;
using Rnn.Math;
using Rnn.Math.Model;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Checkpoints;

/// <summary>
/// A run's <c>checkpoints/</c> folder: one file per checkpoint, named by its place in the run
/// (<c>checkpoint-epoch0003-step000000120.safetensors</c>: in epoch 3, after 120 steps; the name of an epoch's
/// end is the next epoch at step 0 of it), the newest <see cref="Keep"/> kept. A file is either whole or absent:
/// each is written beside its name and renamed into place.
/// </summary>
public sealed partial class CheckpointFolder(string path, int keep = CheckpointFolder.DefaultKeep)
{
    /// <summary>The folder checkpoints go to, inside the run folder.</summary>
    public const string Name = "checkpoints";
    /// <summary>How many checkpoints are kept when nobody says otherwise: the newest ones.</summary>
    public const int DefaultKeep = 3;

    private (string Path, int Epoch, int Minibatch, long Step)? _latest;

    /// <summary>The folder itself.</summary>
    public string Path { get; } = path;

    /// <summary>How many checkpoints are kept; older ones are deleted as newer ones are written.</summary>
    public int Keep { get; } = keep;

    /// <summary>The checkpoints folder of the run folder <paramref name="runFolder"/>.</summary>
    public static CheckpointFolder Of(string runFolder) => new(System.IO.Path.Combine(runFolder, Name));

    /// <summary>The newest checkpoint this folder wrote or resumed from, if any.</summary>
    public string? Latest => _latest?.Path;

    /// <summary>The checkpoint files there, newest first.</summary>
    public IReadOnlyList<string> Files() => !Directory.Exists(Path) ? [] : Directory.EnumerateFiles(Path)
        .Select(file => (File: file, Match: FileNamePattern().Match(System.IO.Path.GetFileName(file))))
        .Where(f => f.Match.Success)
        .OrderByDescending(f => (Number(f.Match, "epoch"), Number(f.Match, "step")))
        .Select(f => f.File)
        .ToList();

    /// <summary>
    /// Writes <paramref name="state"/> and returns its path; then removes any file past it (the damaged ones a
    /// resume passed over: the newest file is always where the run stands) and all but the newest
    /// <see cref="Keep"/>. A state already written (the stop right after an epoch's end, say) is not written twice.
    /// </summary>
    public string Write(ParameterLayout layout, TrainingState state, RunFingerprint fingerprint)
    {
        if (_latest is { } latest && (latest.Epoch, latest.Minibatch, latest.Step) == (state.Epoch, state.Minibatch, state.Step))
            return latest.Path;
        var file = System.IO.Path.Combine(Path, string.Create(CultureInfo.InvariantCulture,
            $"checkpoint-epoch{state.Epoch + 1:D4}-step{state.Step:D9}.safetensors"));
        CheckpointFile.Write(file, layout, state, fingerprint);
        _latest = (file, state.Epoch, state.Minibatch, state.Step);
        var files = Files();
        int newest = files.ToList().IndexOf(file);
        foreach (var stale in files.Take(newest).Concat(files.Skip(newest + Keep))) File.Delete(stale);
        return file;
    }

    /// <summary>
    /// The newest checkpoint that reads back whole, or null when there is none. Each damaged one passed over is
    /// reported to <paramref name="warn"/> in one line.
    /// </summary>
    public CheckpointFile.Checkpoint? NewestValid(Action<string> warn)
    {
        foreach (var file in Files())
        {
            try
            {
                var checkpoint = CheckpointFile.Read(file);
                var p = checkpoint.Position;
                _latest = (file, p.Epoch, p.Minibatch, p.Step);
                return checkpoint;
            }
            catch (Exception e) when (e is InputException or IOException)
            {
                warn($"checkpoint {file} is damaged and was skipped: {e.Message}");
            }
        }
        return null;
    }

    private static long Number(Match match, string group) => long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^checkpoint-epoch(?<epoch>\d+)-step(?<step>\d+)\.safetensors$")]
    private static partial Regex FileNamePattern();
}
