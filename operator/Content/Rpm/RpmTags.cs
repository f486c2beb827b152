namespace Packyard.Content.Rpm;

/// <summary>The rpm header tags Packyard reads (rpm's rpmtag.h).</summary>
internal static class RpmTags
{
    public const int SignaturePayloadSize = 1007;
    public const int SignatureLongArchiveSize = 271;
    public const int SignatureSize = 1000;
    public const int SignatureLongSize = 270;
    public const int SignatureMd5 = 1004;
    public const int PayloadDigest = 5092;
    public const int PayloadDigestAlgorithm = 5093;

    public const int Name = 1000;
    public const int Version = 1001;
    public const int Release = 1002;
    public const int Epoch = 1003;
    public const int Summary = 1004;
    public const int Description = 1005;
    public const int BuildTime = 1006;
    public const int BuildHost = 1007;
    public const int Size = 1009;
    public const int Vendor = 1011;
    public const int License = 1014;
    public const int Packager = 1015;
    public const int Group = 1016;
    public const int Url = 1020;
    public const int Arch = 1022;
    public const int FileModes = 1030;
    public const int FileFlags = 1037;
    public const int SourceRpm = 1044;
    public const int ProvideName = 1047;
    public const int RequireFlags = 1048;
    public const int RequireName = 1049;
    public const int RequireVersion = 1050;
    public const int ConflictFlags = 1053;
    public const int ConflictName = 1054;
    public const int ConflictVersion = 1055;
    public const int ChangelogTime = 1080;
    public const int ChangelogName = 1081;
    public const int ChangelogText = 1082;
    public const int ObsoleteName = 1090;
    public const int SourcePackage = 1106;
    public const int ProvideFlags = 1112;
    public const int ProvideVersion = 1113;
    public const int ObsoleteFlags = 1114;
    public const int ObsoleteVersion = 1115;
    public const int DirIndexes = 1116;
    public const int BaseNames = 1117;
    public const int DirNames = 1118;
    public const int LongSize = 5009;
    public const int RecommendName = 5046;
    public const int RecommendVersion = 5047;
    public const int RecommendFlags = 5048;
    public const int SuggestName = 5049;
    public const int SuggestVersion = 5050;
    public const int SuggestFlags = 5051;
    public const int SupplementName = 5052;
    public const int SupplementVersion = 5053;
    public const int SupplementFlags = 5054;
    public const int EnhanceName = 5055;
    public const int EnhanceVersion = 5056;
    public const int EnhanceFlags = 5057;
}
