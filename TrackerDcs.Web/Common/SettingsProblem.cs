namespace TrackerDcs.Web.Common;

/// <summary>What is wrong with one setting, named by its key (Section:Name), as the start-up error prints it.</summary>
public readonly record struct SettingsProblem(string Key, string Problem)
{
    public override string ToString() => $"setting '{Key}': {Problem}";
}
