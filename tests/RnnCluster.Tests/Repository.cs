namespace RnnCluster.Tests;

/// <summary>Files of the checkout the tests run from (examples, scripts), found by walking up from the test binaries.</summary>
public static class Repository
{
    public static string File(string relative)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, relative);
            if (System.IO.File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException(relative);
    }
}
