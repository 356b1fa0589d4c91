using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.LayerTypes;

namespace RnnCluster.Tests.Data;

/// <summary>Run configs around one `data` section, for loading datasets in tests.</summary>
internal static class DataConfigs
{
    public static RunConfig Run(DataConfig data, string baseDirectory, int inputSize = 1, LossKind loss = LossKind.Mse)
        => new(new ModelConfig(inputSize, [new LstmConfig(4)]), data, new TrainingConfig(Loss: loss))
        {
            BaseDirectory = baseDirectory,
        };

    /// <summary>A csv source reading `series.csv` in <paramref name="folder"/>.</summary>
    public static DataConfig Csv(string[] columns, string target, int timesteps, int horizon = 1, float split = 0f,
        Normalization normalize = Normalization.None)
        => new(DataSource.Csv, "series.csv", columns, target, timesteps, horizon, split, normalize);

    /// <summary>Writes `series.csv` and loads it with <paramref name="data"/>.</summary>
    public static Dataset LoadCsv(TempFolder folder, string csv, DataConfig data)
    {
        folder.Write("series.csv", csv);
        return DatasetLoader.Load(Run(data, folder.Path, data.Columns!.Count));
    }

    /// <summary>The message of the InputException that loading raises.</summary>
    public static string CsvErrorOf(TempFolder folder, string csv, DataConfig data)
        => Assert.Throws<InputException>(() => LoadCsv(folder, csv, data)).Message;

    /// <summary>`v` then one value per line: a one-column series.</summary>
    public static string Series(IEnumerable<float> values) => "v\n" + string.Join("\n", values) + "\n";
}
