using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.Data.Synthetic;
using static RnnCluster.Tests.Data.DataConfigs;

namespace RnnCluster.Tests.Data;

public class SyntheticTests
{
    [Fact]
    public void AddingProblemHasExactlyOneMarkerInEachHalfAndTargetsTheirSum()
    {
        const int timesteps = 11;
        var set = AddingProblem.Generate(200, timesteps, seed: 3);

        for (int n = 0; n < set.Samples; n++)
        {
            var steps = Enumerable.Range(0, timesteps).Select(t => (Value: set.X.ToArray()[(n * timesteps + t) * 2], Marker: set.X.ToArray()[(n * timesteps + t) * 2 + 1])).ToArray();
            int[] marked = [.. Enumerable.Range(0, timesteps).Where(t => steps[t].Marker == 1f)];
            Assert.Equal(2, marked.Length);
            Assert.True(marked[0] < timesteps / 2 && marked[1] >= timesteps / 2);
            Assert.All(steps, s => Assert.True(s.Marker is 0f or 1f && s.Value is >= 0f and < 1f));
            Assert.Equal(steps[marked[0]].Value + steps[marked[1]].Value, set.Y.ToArray()[n]);
        }
    }

    [Fact]
    public void AddingProblemMeanPredictorScoresTheKnownBaseline()
    {
        // The sum of two U(0, 1) values has mean 1 and variance 2/12: predicting 1 scores MSE 0.1667.
        var set = AddingProblem.Generate(20000, 20, seed: 7);

        double mse = set.Y.ToArray().Select(y => (y - 1.0) * (y - 1.0)).Average();

        Assert.Equal(1.0, set.Y.ToArray().Average(y => (double)y), 0.01);
        Assert.Equal(1.0 / 6.0, mse, 0.005);
    }

    [Fact]
    public void SameSeedGivesSameBitsAndAnotherSeedDiffers()
    {
        Assert.Equal(AddingProblem.Generate(10, 8, 1).X, AddingProblem.Generate(10, 8, 1).X);
        Assert.NotEqual(AddingProblem.Generate(10, 8, 1).X, AddingProblem.Generate(10, 8, 2).X);
        Assert.Equal(SineWaves.Generate(10, 8, 1).Y, SineWaves.Generate(10, 8, 1).Y);
        Assert.Equal(CopyMemory.Generate(10, 25, 1).Y, CopyMemory.Generate(10, 25, 1).Y);
    }

    [Fact]
    public void SineWindowsStayWithinTheWaveAndItsNoise()
    {
        var set = SineWaves.Generate(100, 16, seed: 5);

        Assert.Equal((100, 16, 1, 1), (set.Samples, set.Timesteps, set.Features, set.Targets));
        Assert.All(set.X.ToArray(), v => Assert.InRange(v, -1f - SineWaves.NoiseAmplitude, 1f + SineWaves.NoiseAmplitude));
        Assert.All(set.Y.ToArray(), v => Assert.InRange(v, -1f, 1f));
    }

    [Fact]
    public void CopyTaskRecallsTheSymbolsAfterTheDelimiter()
    {
        const int timesteps = 25;
        var set = CopyMemory.Generate(20, timesteps, seed: 9);

        Assert.Equal((CopyMemory.Symbols, CopyMemory.Symbols, true), (set.Features, set.Classes, set.SequenceTargets));
        for (int n = 0; n < set.Samples; n++)
        {
            int[] input = [.. Enumerable.Range(0, timesteps).Select(t => Array.IndexOf(set.X.ToArray(), 1f, (n * timesteps + t) * 10, 10) - (n * timesteps + t) * 10)];
            int[] target = [.. set.Y.ToArray().Skip(n * timesteps).Take(timesteps).Select(v => (int)v)];
            Assert.All(input[..10], s => Assert.InRange(s, 1, 8));
            Assert.All(input[10..14], s => Assert.Equal(CopyMemory.Blank, s));
            Assert.Equal(CopyMemory.Delimiter, input[14]);
            Assert.All(input[15..], s => Assert.Equal(CopyMemory.Blank, s));
            Assert.All(target[..15], s => Assert.Equal(CopyMemory.Blank, s));
            Assert.Equal(input[..10], target[15..]);
        }
        Assert.Equal(set.Samples * timesteps, set.X.ToArray().Sum());
    }

    [Fact]
    public void ShortCopyTaskCopiesFewerSymbols()
    {
        Assert.Equal(1, CopyMemory.CopiedLength(3));
        Assert.Equal(10, CopyMemory.CopiedLength(21));
    }

    [Fact]
    public void LoaderSplitsSyntheticDataFromTheEnd()
    {
        var config = Run(new DataConfig(DataSource.Synthetic, Generator: SyntheticGenerator.Adding, Timesteps: 6, Samples: 10, ValidationSplit: 0.3f, Seed: 4), "/", inputSize: 2);

        var set = DatasetLoader.Load(config);

        Assert.Equal(7, set.TrainCount);
        Assert.Equal(AddingProblem.Generate(10, 6, 4).Y, set.Y.ToArray());
    }

    [Fact]
    public void GeneratorWidthNotMatchingInputSizeIsRejected()
    {
        var config = Run(new DataConfig(DataSource.Synthetic, Generator: SyntheticGenerator.Copy, Timesteps: 6, Samples: 10), "/", inputSize: 1);

        var error = Assert.Throws<InputException>(() => DatasetLoader.Load(config));

        Assert.Equal("data.generator \"copy\" gives 10 features per timestep but model.inputSize is 1", error.Message);
    }
}
