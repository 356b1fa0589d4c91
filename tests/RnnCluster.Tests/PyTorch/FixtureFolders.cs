namespace RnnCluster.Tests.PyTorch;

/// <summary>Where the files written by tests/fixtures_generator land in the test output.</summary>
public static class FixtureFolders
{
    /// <summary>generate_fixtures.py: one `case.json` and `case.safetensors` per case.</summary>
    public static string Cases => Path.Combine(AppContext.BaseDirectory, "Fixtures", "PyTorch");

    /// <summary>train_reference.py: `data.safetensors`, and per cell `cell.json`, `cell.init.safetensors`, `cell.final.safetensors`.</summary>
    public static string Training => Path.Combine(Cases, "Training");

    /// <summary>train_stateful_reference.py: `data.safetensors`, and per case `case.json`, `case.init.safetensors`, `case.final.safetensors`.</summary>
    public static string Stateful => Path.Combine(Cases, "Stateful");
}
