// Provider token shapes for the Redactor (known-token-shape rule).

/**
 * Secrets recognised by their shape wherever they appear: the providers' documented prefixes
 * and lengths, as the public secret-scanning rule sets (gitleaks, trufflehog) list them. Written
 * here, one alternative per family; each starts with a literal prefix or a bounded class, and
 * none is followed by an unbounded quantifier over the same characters, so the scan is linear.
 * No trailing boundary: a longer run is still redacted (more hidden, never less).
 */
export const TOKEN_SHAPES: readonly string[] = [
  // cloud providers
  '(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|A3T[A-Z0-9])[A-Z0-9]{16}',
  'LTAI[A-Za-z0-9]{20}',
  'AIza[0-9A-Za-z_-]{35}',
  'GOCSPX-[A-Za-z0-9_-]{28}',
  'ya29\\.[0-9A-Za-z_-]{20,}',
  'do[opr]_v1_[a-f0-9]{64}',
  'HRKU-[A-Za-z0-9_-]{20,}',
  'hv[sbr]\\.[A-Za-z0-9_-]{24,}',
  '[a-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,}',
  'dapi[a-h0-9]{32}',
  'dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,}',
  'sbp_[a-f0-9]{40}',
  'pul-[a-f0-9]{40}',
  'NRAK-[A-Z0-9]{27}',
  'glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}',
  'glc_[A-Za-z0-9+/]{32,}',
  'dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}',
  'v1\\.0-[a-f0-9]{24}-[a-f0-9]{100,}',
  'fo1_[A-Za-z0-9_-]{40,}',
  // source hosting and package registries
  'gh[pousr]_[A-Za-z0-9]{30,255}',
  'github_pat_[A-Za-z0-9_]{22,255}',
  'gl(?:pat|dt|rt|oas|cbt|imt|ptt|ft|agent|ffct|soat)-[A-Za-z0-9_-]{20,}',
  'GR1348941[A-Za-z0-9_-]{20,}',
  'ATBB[A-Za-z0-9]{32}',
  'npm_[A-Za-z0-9]{36}',
  'pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}',
  'dckr_pat_[A-Za-z0-9_-]{27,}',
  'rubygems_[a-f0-9]{48}',
  // chat, collaboration, observability
  'xox[abposre]-[A-Za-z0-9-]{10,}',
  'xapp-[0-9]-[A-Za-z0-9-]{20,}',
  'hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,}',
  'discord(?:app)?\\.com/api/webhooks/[0-9]{5,30}/[A-Za-z0-9_-]{20,}',
  '[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}',
  '(?:bot)?[0-9]{8,10}:AA[A-Za-z0-9_-]{33}',
  'ATATT3[A-Za-z0-9_=-]{100,}',
  'lin_api_[A-Za-z0-9]{40}',
  'PMAK-[a-f0-9]{24}-[a-f0-9]{34}',
  'ntn_[A-Za-z0-9]{40,}',
  'secret_[A-Za-z0-9]{43}',
  'figd_[A-Za-z0-9_-]{40,}',
  'sntry[su]_[A-Za-z0-9+/=_-]{40,}',
  // payments and commerce
  '(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,}',
  'whsec_[A-Za-z0-9+/=]{24,}',
  'sq0(?:atp|csp)-[A-Za-z0-9_-]{22,}',
  'EAAA[A-Za-z0-9_-]{60,}',
  'EAA[CM][A-Za-z0-9]{80,}',
  'shippo_(?:live|test)_[a-f0-9]{40}',
  'shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}',
  'pat[A-Za-z0-9]{14}\\.[a-f0-9]{64}',
  // mail and messaging
  'SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}',
  'key-[a-z0-9]{32}',
  '[a-f0-9]{32}-us[0-9]{1,2}',
  'SK[0-9a-fA-F]{32}',
  // AI providers (sk-…: OpenAI, Anthropic, DeepSeek and most others)
  'sk-[A-Za-z0-9_-]{16,}',
  'gsk_[A-Za-z0-9]{20,}',
  'hf_[A-Za-z]{30,}',
  'r8_[A-Za-z0-9]{37}',
  'pplx-[A-Za-z0-9]{40,}',
  // keys that are files
  'AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}',
  'sk\\.eyJ[A-Za-z0-9_-]{20,}\\.[A-Za-z0-9_-]{20,}',
  'A3-[A-Z0-9]{6}-[A-Z0-9]{11}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}',
];
