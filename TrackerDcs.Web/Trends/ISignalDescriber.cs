using TrackerDcs.Web.History;
namespace TrackerDcs.Web.Trends;

/// <summary>
/// What a device knows about the signals it records: their names and units, and which tags name a series (a
/// channel's id, not the module it happens to carry). Each device registers one for its measurements; the
/// catalogue lists whatever the store holds, described by these or, for a measurement nobody describes, by its
/// raw key.
/// </summary>
public interface ISignalDescriber
{
    bool Describes(string measurement);

    /// <summary>The signal with only the tags that identify it, e.g. <c>channels.hv_iMon[id=0]</c>.</summary>
    SignalId Canonical(SignalId signal);

    SignalInfo Describe(SignalId canonical);
}
