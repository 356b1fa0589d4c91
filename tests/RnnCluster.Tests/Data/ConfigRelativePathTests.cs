using Rnn.Math.Config;
using Rnn.Math.Data;

namespace RnnCluster.Tests.Data;

public class ConfigRelativePathTests
{
    [Fact]
    public void DataPathIsRelativeToTheConfigFileNotTheWorkingFolder()
    {
        using var folder = new TempFolder();
        folder.Write("run/series.csv", DataConfigs.Series([1f, 2f, 3f, 4f]));
        string configPath = folder.Write("run/config.json", """
            {
              "model": { "inputSize": 1, "layers": [ { "type": "lstm", "units": 4 }, { "type": "dense", "units": 1 } ] },
              "data": { "source": "csv", "path": "series.csv", "columns": ["v"], "target": "v", "timesteps": 2 }
            }
            """);

        var set = DatasetLoader.Load(ConfigLoader.Load(configPath));

        Assert.Equal([3f, 4f], set.Y.ToArray());
    }
}
