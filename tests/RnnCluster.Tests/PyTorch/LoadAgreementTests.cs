using System.Globalization;
using System.Text.Json;
using Rnn.Math.Weights;
using RnnCluster.Coordinator.Output;
using RnnCluster.Tests.Cli;
using Xunit.Abstractions;

namespace RnnCluster.Tests.PyTorch;

/// <summary>
/// Model folders trained by rnn-cluster, loaded into PyTorch by examples/pytorch/load.py with
/// load_state_dict(strict=True) and run there (tests/fixtures_generator/generate_load_fixtures.py writes
/// `Load/case/pytorch.safetensors`: x, PyTorch's y, and the module's state_dict keys): predict gives PyTorch's outputs.
/// </summary>
public class LoadAgreementTests(ITestOutputHelper log)
{
    /// <summary>float32 rounding, relative to the value for outputs in the data's units (passenger counts run to 622).</summary>
    private const float Tolerance = 1e-5f;

    public static TheoryData<string> Cases => new(Directory.GetDirectories(Folder).Select(Path.GetFileName).Order().Select(name => name!));

    private static string Folder => Path.Combine(FixtureFolders.Cases, "Load");

    [Theory]
    [MemberData(nameof(Cases))]
    public void WeightsFile_HoldsExactlyThePyTorchModulesStateDict(string caseName)
    {
        var fixture = SafeTensors.Read(Path.Combine(Folder, caseName, "pytorch.safetensors"));
        var stateDict = JsonSerializer.Deserialize<string[]>(fixture.Metadata["stateDictKeys"])!;

        var weights = SafeTensors.Read(Path.Combine(Folder, caseName, ModelWeights.FileName));

        Assert.Equal(stateDict, weights.Tensors.Select(t => t.Name));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Predict_GivesPyTorchsOutputs(string caseName)
    {
        using var folder = new TempFolder();
        var input = Path.Combine(Folder, caseName, "pytorch.safetensors");
        var output = folder.File("y.safetensors");

        var run = CliRun.Of("predict", "--model", Path.Combine(Folder, caseName), "--input", input, "--output", output);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var expected = SafeTensors.Read(input).Get("y");
        var actual = SafeTensors.Read(output).Get("y");
        Assert.Equal(expected.Shape, actual.Shape);
        AssertClose(expected.Data.ToArray(), actual.Data.ToArray(), caseName);
    }

    [Fact]
    public void PredictOnTheCsv_GivesPyTorchsOutputs_InTheDatasUnits()
    {
        const string caseName = "passengers_lstm_csv";
        var run = CliRun.Of("predict", "--model", Path.Combine(Folder, caseName), "--input", Repository.File("examples/passengers/passengers.csv"));

        Assert.True(run.ExitCode == 0, run.Stderr);
        // One row per complete window, the last one past the end of the file: the windows load.py ran.
        var predictions = run.Stdout.TrimEnd().Split('\n')[1..].Select(line => float.Parse(line.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        var expected = SafeTensors.Read(Path.Combine(Folder, caseName, "pytorch.safetensors")).Get("y").Data.ToArray();
        AssertClose(expected, predictions, caseName + " (CSV)");
    }

    private void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var errors = expected.Zip(actual, (e, a) => MathF.Abs(e - a) / MathF.Max(1f, MathF.Abs(e))).ToArray();
        int worst = Array.IndexOf(errors, errors.Max());
        log.WriteLine($"{what}: max relative error {errors[worst]:E2} at [{worst}]");
        Assert.True(errors[worst] <= Tolerance, $"{what}: element {worst}: predict {actual[worst]}, PyTorch {expected[worst]}");
    }
}
