using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TrackerDcs.Hardware.Common;

/// <summary>
/// Loads YAML into YamlDotNet's node tree (which keeps lines) for the stand's hand-edited files. A syntax
/// error becomes the caller's exception with its line. YamlDotNet 18 throws InvalidOperationException instead
/// of YamlException on some broken flow mappings; that case is reported at the last event it did parse.
/// </summary>
public static class YamlFile
{
    public static YamlStream Load(string text, Func<int, string, Exception> fail)
    {
        var parser = new Parser(new StringReader(text));
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            throw fail((int)e.Start.Line, $"not valid YAML: {e.InnerException?.Message ?? e.Message}");
        }
        catch (InvalidOperationException)
        {
            throw fail((int)(parser.Current?.End.Line ?? 0), "not valid YAML: an unterminated or broken structure after this line");
        }
        return stream;
    }
}
