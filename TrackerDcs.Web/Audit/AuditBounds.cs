using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Audit;

/// <summary>
/// How much of a command the audit log keeps: the row is evidence of who sent what, not a copy of it. A topic of
/// 60 KB or a payload of 1 MB is cut to its bound and says how long it was ("…(1048576 bytes)"), so a flood of
/// huge commands cannot fill the disk through the audit log (nor the log file, which quotes the same text).
/// </summary>
public static class AuditBounds
{
    public const int TopicBytes = 1024;
    public const int PayloadBytes = 4096;
    public const int ResultBytes = 4096;

    public static string Topic(string topic) => BoundedText.Cut(topic, TopicBytes);
    public static string Payload(string payload) => BoundedText.Cut(payload, PayloadBytes);
    public static string Result(string result) => BoundedText.Cut(result, ResultBytes);
}
