//! The protocol's envelope: `subsonic-response` with its status, version
//! and error, in JSON, JSONP or XML, and its error codes.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chorus_nats::{ClientError, Status};
use serde_json::{Map, Value};

/// The Subsonic API version spoken.
pub(crate) const API_VERSION: &str = "1.16.1";

/// What an endpoint answers: fields inside `subsonic-response`, or a body of
/// its own (audio, an image).
pub(crate) enum Reply {
    /// `status: ok` and these fields.
    Fields(Map<String, Value>),
    /// Not an envelope: streamed media.
    Raw(Response),
}

impl Reply {
    /// `status: ok` with nothing else.
    pub(crate) fn empty() -> Self {
        Reply::Fields(Map::new())
    }

    /// `status: ok` with one field.
    pub(crate) fn with(key: &str, value: Value) -> Self {
        let mut m = Map::new();
        m.insert(key.into(), value);
        Reply::Fields(m)
    }
}

/// A failed request: the protocol's error code and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: u16,
    pub(crate) message: String,
    /// A rate limit's wait, sent as `Retry-After` beside the envelope.
    pub(crate) retry_after_ms: Option<u64>,
}

/// The protocol's error codes.
pub(crate) mod codes {
    /// A generic error.
    pub(crate) const GENERIC: u16 = 0;
    /// Required parameter is missing.
    pub(crate) const MISSING_PARAMETER: u16 = 10;
    /// Wrong username or password.
    pub(crate) const WRONG_CREDENTIALS: u16 = 40;
    /// Multiple conflicting authentication mechanisms provided.
    pub(crate) const CONFLICTING_AUTH: u16 = 43;
    /// Invalid API key.
    pub(crate) const INVALID_API_KEY: u16 = 44;
    /// User is not authorized for the given operation.
    pub(crate) const NOT_AUTHORIZED: u16 = 50;
    /// The requested data was not found.
    pub(crate) const NOT_FOUND: u16 = 70;
}

impl Failure {
    pub(crate) fn new(code: u16, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), retry_after_ms: None }
    }

    /// Code 10 for parameter `name`.
    pub(crate) fn missing(name: &str) -> Self {
        Self::new(codes::MISSING_PARAMETER, format!("Required parameter is missing: {name}"))
    }

    /// Code 0: a parameter that does not read.
    pub(crate) fn invalid(name: &str, why: &str) -> Self {
        Self::new(codes::GENERIC, format!("Invalid parameter {name}: {why}"))
    }

    /// Code 70.
    pub(crate) fn not_found(what: impl Into<String>) -> Self {
        Self::new(codes::NOT_FOUND, what)
    }

    /// Code 0 for an endpoint Chorus does not offer.
    pub(crate) fn not_implemented(endpoint: &str) -> Self {
        Self::new(codes::GENERIC, format!("Not implemented: {endpoint}"))
    }

    /// What a service's answer means to a Subsonic app.
    pub(crate) fn from_client(e: ClientError) -> Self {
        match e {
            ClientError::Service { status, code, message, retry_after_ms } => {
                let subsonic = match status {
                    Status::NotFound => codes::NOT_FOUND,
                    Status::Unauthorized => codes::WRONG_CREDENTIALS,
                    Status::Forbidden => codes::NOT_AUTHORIZED,
                    _ => codes::GENERIC,
                };
                Self { code: subsonic, message: format!("{message} ({code})"), retry_after_ms }
            }
            other => Self::new(codes::GENERIC, format!("Chorus is briefly unavailable: {other}")),
        }
    }
}

/// How the app asked to be answered (`f`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Format {
    Xml,
    Json,
    Jsonp(String),
}

impl Format {
    /// From `f` and `callback`; XML unless told otherwise, as Subsonic does.
    pub(crate) fn parse(f: Option<&str>, callback: Option<&str>) -> Self {
        match (f, callback) {
            (Some("json"), _) => Format::Json,
            (Some("jsonp"), Some(cb)) if valid_callback(cb) => Format::Jsonp(cb.to_string()),
            (Some("jsonp"), _) => Format::Json,
            _ => Format::Xml,
        }
    }
}

/// A JSONP callback must be a plain identifier path: it is written into a script.
fn valid_callback(cb: &str) -> bool {
    !cb.is_empty() && cb.len() <= 128 && cb.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.$".contains(&b))
}

/// The response for `outcome`, in `format`.
pub(crate) fn render(format: &Format, outcome: Result<Reply, Failure>) -> Response {
    let (fields, retry) = match outcome {
        Ok(Reply::Raw(r)) => return r,
        Ok(Reply::Fields(fields)) => (envelope("ok", fields), None),
        Err(f) => {
            let mut error = Map::new();
            error.insert("code".into(), f.code.into());
            error.insert("message".into(), f.message.into());
            let mut m = Map::new();
            m.insert("error".into(), Value::Object(error));
            (envelope("failed", m), f.retry_after_ms)
        }
    };
    let mut response = match format {
        Format::Json => {
            let body = serde_json::json!({ "subsonic-response": fields }).to_string();
            ([(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        Format::Jsonp(cb) => {
            let body = format!("{cb}({});", serde_json::json!({ "subsonic-response": fields }));
            ([(header::CONTENT_TYPE, "application/javascript")], body).into_response()
        }
        Format::Xml => {
            let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
            out.push('\n');
            let mut root = fields;
            root.insert("xmlns".into(), "http://subsonic.org/restapi".into());
            element(&mut out, "subsonic-response", &root);
            ([(header::CONTENT_TYPE, "application/xml")], out).into_response()
        }
    };
    if let Some(ms) = retry {
        if let Ok(v) = HeaderValue::from_str(&ms.div_ceil(1000).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    *response.status_mut() = StatusCode::OK;
    response
}

fn envelope(status: &str, fields: Map<String, Value>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("status".into(), status.into());
    m.insert("version".into(), API_VERSION.into());
    m.insert("type".into(), "chorus".into());
    m.insert("serverVersion".into(), env!("CARGO_PKG_VERSION").into());
    m.insert("openSubsonic".into(), true.into());
    m.extend(fields);
    m
}

/// Subsonic's XML from the JSON shape: scalars are attributes, objects are
/// child elements, arrays repeat the element, and a `value` field is the
/// element's text (a genre's name, a lyric).
fn element(out: &mut String, name: &str, fields: &Map<String, Value>) {
    out.push('<');
    out.push_str(name);
    let mut text = None;
    for (k, v) in fields {
        match v {
            Value::Object(_) | Value::Array(_) | Value::Null => {}
            scalar if k == "value" => text = Some(scalar_text(scalar)),
            scalar => {
                out.push(' ');
                out.push_str(k);
                out.push_str("=\"");
                escape(out, &scalar_text(scalar));
                out.push('"');
            }
        }
    }
    let children: Vec<_> = fields.iter().filter(|(_, v)| matches!(v, Value::Object(_) | Value::Array(_))).collect();
    if children.is_empty() && text.is_none() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    if let Some(t) = text {
        escape(out, &t);
    }
    for (k, v) in children {
        match v {
            Value::Object(o) => element(out, k, o),
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Object(o) => element(out, k, o),
                        Value::Null => {}
                        scalar => {
                            out.push_str(&format!("<{k}>"));
                            escape(out, &scalar_text(scalar));
                            out.push_str(&format!("</{k}>"));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_puts_scalars_in_attributes_arrays_as_repeated_elements_and_value_as_text() {
        let v = serde_json::json!({"genres": {"genre": [{"value": "Rock & Roll", "songCount": 2}]}, "a": "x\"y"});
        let mut out = String::new();
        element(&mut out, "r", v.as_object().unwrap());
        assert_eq!(out, r#"<r a="x&quot;y"><genres><genre songCount="2">Rock &amp; Roll</genre></genres></r>"#);
    }

    #[test]
    fn formats() {
        assert_eq!(Format::parse(None, None), Format::Xml);
        assert_eq!(Format::parse(Some("json"), None), Format::Json);
        assert_eq!(Format::parse(Some("jsonp"), Some("cb")), Format::Jsonp("cb".into()));
        assert_eq!(Format::parse(Some("jsonp"), Some("alert(1)//")), Format::Json);
    }
}
