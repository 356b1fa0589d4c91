namespace RnnCluster.Tests;

/// <summary>Files of the repository the tests run from (found upwards from the test binaries).</summary>
internal static class Repository
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
