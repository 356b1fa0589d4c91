using RnnCluster.Coordinator.Checkpoints;

namespace RnnCluster.Tests.Checkpoints;

public class CheckpointFolderTests
{
    [Fact]
    public void Only_the_newest_checkpoints_are_kept()
    {
        using var temp = new TempFolder();
        var folder = new CheckpointFolder(temp.Path, keep: 3);
        var (layout, state, fingerprint) = CheckpointFileTests.Sample();

        var written = Enumerable.Range(1, 5).Select(step => folder.Write(layout, state with { Step = step }, fingerprint)).ToList();

        Assert.Equal(written[2..].AsEnumerable().Reverse(), folder.Files());
    }

    [Fact]
    public void Files_are_ordered_by_epoch_then_step_so_an_epoch_end_follows_its_last_step()
    {
        using var temp = new TempFolder();
        var folder = new CheckpointFolder(temp.Path);
        var (layout, state, fingerprint) = CheckpointFileTests.Sample();

        var earlier = folder.Write(layout, state with { Epoch = 9, Minibatch = 3, Step = 99 }, fingerprint);
        var lastStep = folder.Write(layout, state with { Epoch = 9, Minibatch = 4, Step = 100 }, fingerprint);
        var epochEnd = folder.Write(layout, state with { Epoch = 10, Minibatch = 0, Step = 100 }, fingerprint);

        Assert.Equal([epochEnd, lastStep, earlier], folder.Files());
    }

    [Fact]
    public void The_same_state_twice_is_written_once()
    {
        using var temp = new TempFolder();
        var folder = new CheckpointFolder(temp.Path);
        var (layout, state, fingerprint) = CheckpointFileTests.Sample();

        var first = folder.Write(layout, state, fingerprint);
        File.Delete(first);
        var second = folder.Write(layout, state, fingerprint);

        Assert.Equal(first, second);
        Assert.False(File.Exists(second));
    }

    [Fact]
    public void A_damaged_newest_checkpoint_is_passed_over_with_one_warning()
    {
        using var temp = new TempFolder();
        var folder = new CheckpointFolder(temp.Path);
        var (layout, state, fingerprint) = CheckpointFileTests.Sample();
        var older = folder.Write(layout, state with { Step = 7 }, fingerprint);
        var newest = folder.Write(layout, state with { Step = 8 }, fingerprint);
        File.WriteAllBytes(newest, File.ReadAllBytes(newest)[..100]);
        var warnings = new List<string>();

        var found = new CheckpointFolder(temp.Path).NewestValid(warnings.Add);

        Assert.Equal(older, found!.Path);
        Assert.Equal(7, found.Position.Step);
        Assert.Contains(Path.GetFileName(newest), Assert.Single(warnings));
    }

    [Fact]
    public void The_first_checkpoint_after_a_resume_removes_the_damaged_ones_it_passed_over()
    {
        using var temp = new TempFolder();
        var folder = new CheckpointFolder(temp.Path);
        var (layout, state, fingerprint) = CheckpointFileTests.Sample();
        var resumedFrom = folder.Write(layout, state with { Step = 7 }, fingerprint);
        var damaged = folder.Write(layout, state with { Step = 9 }, fingerprint);
        File.WriteAllBytes(damaged, [1, 2, 3]);

        var resumed = new CheckpointFolder(temp.Path);
        resumed.NewestValid(_ => { });
        var next = resumed.Write(layout, state with { Step = 8 }, fingerprint);

        Assert.Equal([next, resumedFrom], resumed.Files());
    }

    [Fact]
    public void A_folder_without_a_whole_checkpoint_gives_none()
    {
        using var temp = new TempFolder();
        File.WriteAllText(Path.Combine(temp.Path, "checkpoint-epoch0001-step000000001.safetensors"), "not a checkpoint");
        var warnings = new List<string>();

        Assert.Null(new CheckpointFolder(temp.Path).NewestValid(warnings.Add));
        Assert.Single(warnings);
    }
}
