//! Secret scrubbing for every text that can reach a log line, an error or a panic message.

/// Markers whose values are secrets, matched case-insensitively. A value runs to the next
/// `;`, `&`, quote, comma or whitespace.
const SECRET_MARKERS: [&str; 3] = ["sharedaccesskey=", "sig=", "sharedaccesssignature "];

/// The text that replaces a secret value.
pub const REDACTED: &str = "<redacted>";

/// Returns `text` with every secret value replaced by [`REDACTED`]: the key of a SAS connection
/// string (`SharedAccessKey=…`), the signature of a SAS token (`sig=…`) and any
/// `SharedAccessSignature …` token. Everything else is kept, so messages stay useful.
///
/// ```
/// use retail_streaming::redact;
/// let text = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=abc123=;EntityPath=hub";
/// assert_eq!(
///     redact(text),
///     "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=<redacted>;EntityPath=hub"
/// );
/// ```
pub fn redact(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut position = 0;
    while position < text.len() {
        let next_marker = SECRET_MARKERS
            .iter()
            .filter_map(|marker| {
                lower[position..]
                    .find(marker)
                    .map(|offset| (position + offset, marker.len()))
            })
            .min();
        let Some((start, marker_len)) = next_marker else {
            out.push_str(&text[position..]);
            break;
        };
        let value_start = start + marker_len;
        out.push_str(&text[position..value_start]);
        let value_len = text[value_start..]
            .find(|c: char| matches!(c, ';' | '&' | '"' | '\'' | ',') || c.is_whitespace())
            .unwrap_or(text.len() - value_start);
        if value_len > 0 {
            out.push_str(REDACTED);
        }
        position = value_start + value_len;
    }
    out
}

/// A secret string whose `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; call only where it is handed to the SDK.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

impl std::fmt::Display for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_string_key_is_removed_and_the_rest_kept() {
        let text = "failed: Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=p;SharedAccessKey=S3cr3t+/=;EntityPath=h";
        let out = redact(text);
        assert!(!out.contains("S3cr3t"), "{out}");
        assert!(out.contains("SharedAccessKeyName=p;"), "{out}");
        assert!(out.contains("EntityPath=h"), "{out}");
    }

    #[test]
    fn every_occurrence_in_any_case_is_removed() {
        let text = "a sharedaccesskey=AAA b SHAREDACCESSKEY=BBB;c";
        assert_eq!(
            redact(text),
            "a sharedaccesskey=<redacted> b SHAREDACCESSKEY=<redacted>;c"
        );
    }

    #[test]
    fn sas_token_signature_and_token_are_removed() {
        let token =
            "SharedAccessSignature sr=amqps%3A%2F%2Fns%2Fhub&sig=QUJD%2B&se=1700000000&skn=send";
        let out = redact(token);
        assert!(!out.contains("QUJD"), "{out}");
        assert!(!out.contains("sr=amqps"), "{out}");
    }

    #[test]
    fn text_without_secrets_is_unchanged_including_non_ascii() {
        let text = "connexion refusée: 127.0.0.1:5672 — server-busy";
        assert_eq!(redact(text), text);
        assert_eq!(redact(""), "");
        assert_eq!(redact("SharedAccessKey="), "SharedAccessKey=");
    }

    #[test]
    fn secret_string_never_prints_its_value() {
        let secret = SecretString::new("hunter2");
        assert_eq!(format!("{secret:?} {secret}"), "<redacted> <redacted>");
        assert_eq!(secret.expose(), "hunter2");
    }
}
