using System.Text.Json;
using System.Text.RegularExpressions;

namespace RnnCluster.Tests;

/// <summary>What a user sees of the repository itself: a clean restore, and README commands that keep the tree clean.</summary>
public partial class RepositoryHygieneTests
{
    /// <summary>
    /// Restore writes its warnings into each project's assets file; NU1603 (a dependency's version not served,
    /// a newer one taken) used to be printed by every build and `dotnet run`.
    /// </summary>
    [Theory]
    [InlineData("src/Rnn.Math")]
    [InlineData("src/Worker")]
    [InlineData("src/Coordinator")]
    [InlineData("tests/RnnCluster.Tests")]
    public void Restore_left_no_warning(string project)
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(Repository.File($"{project}/obj/project.assets.json")));
        bool warned = assets.RootElement.TryGetProperty("logs", out var logs) && logs.GetArrayLength() > 0;
        Assert.False(warned, warned ? logs.ToString() : "");
    }

    /// <summary>Every file a README command writes lands under runs/, which .gitignore covers.</summary>
    [Fact]
    public void Readme_commands_write_only_under_the_ignored_runs_folder()
    {
        var readme = File.ReadAllText(Repository.File("README.md"));
        Assert.Contains("runs/", File.ReadAllLines(Repository.File(".gitignore")));
        var written = OutputFlag().Matches(readme).Select(m => m.Groups["path"].Value).ToList();
        Assert.NotEmpty(written);
        Assert.All(written, path => Assert.StartsWith("runs/", path));
    }

    /// <summary>`--out X`, `--output X`, `--plot X`, `--onnx X` in a command (not the placeholders of the reference: DIR, FILE...).</summary>
    [GeneratedRegex(@"--(?:out|output|plot|onnx) (?<path>(?![A-Z]+\b)[^\s`\]]+)")]
    private static partial Regex OutputFlag();
}
