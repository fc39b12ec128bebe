//! Every Chorus subject, built in one place.
//!
//! A subject reads `chorus.<service>.v1.<noun>.<verb>`. Code never types a
//! subject as a string elsewhere; `subjects.md` is checked against [`all`].

/// The version segment every subject carries, so v1 and v2 can run side by side.
pub const VERSION: &str = "v1";

/// Prefix of every Chorus subject.
pub const ROOT: &str = "chorus";

/// Who may call an endpoint; the runtime checks the bearer token before the handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone connected; the token is not looked at.
    Public,
    /// A signed-in user: a valid access token.
    Authenticated,
    /// A signed-in user with the `admin` role. Never reachable from browsers.
    Admin,
    /// A valid access token, carried by a service calling on a signed-in
    /// user's behalf (stream recording a play). Never reachable from browsers:
    /// a play is recorded only by the playback session that streamed it.
    Service,
}

impl Access {
    /// As written in `subjects.md`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::Authenticated => "authenticated",
            Access::Admin => "admin",
            Access::Service => "service",
        }
    }
}

/// One request/reply endpoint: the service that answers it, its noun and verb,
/// and who may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// Service name, also the queue group.
    pub service: &'static str,
    /// What the endpoint acts on (`track`).
    pub noun: &'static str,
    /// What it does (`get`).
    pub verb: &'static str,
    /// Who may call it.
    pub access: Access,
}

impl Endpoint {
    /// A public endpoint; services use the builders below, tests may define their own.
    pub const fn new(service: &'static str, noun: &'static str, verb: &'static str) -> Self {
        Self { service, noun, verb, access: Access::Public }
    }

    /// The same endpoint, for signed-in users only.
    pub const fn authenticated(self) -> Self {
        Self { access: Access::Authenticated, ..self }
    }

    /// The same endpoint, for services calling with a user's token only.
    pub const fn service_only(self) -> Self {
        Self { access: Access::Service, ..self }
    }

    /// The same endpoint, for admins only.
    pub const fn admin(self) -> Self {
        Self { access: Access::Admin, ..self }
    }

    /// The same endpoint with another access level (a deployment may require sign-in to browse).
    pub const fn with_access(self, access: Access) -> Self {
        Self { access, ..self }
    }

    /// The full subject, `chorus.<service>.v1.<noun>.<verb>`.
    pub fn subject(&self) -> String {
        let mut s = String::with_capacity(
            ROOT.len() + VERSION.len() + self.service.len() + self.noun.len() + self.verb.len() + 4,
        );
        for (i, part) in [ROOT, self.service, VERSION, self.noun, self.verb].into_iter().enumerate() {
            if i > 0 {
                s.push('.');
            }
            s.push_str(part);
        }
        s
    }

    /// The micro endpoint name, `<noun>_<verb>` (the nats CLI rejects dots).
    pub fn name(&self) -> String {
        format!("{}_{}", self.noun, self.verb)
    }
}

/// A service's endpoint table: one line per endpoint, in `subjects.md` order,
/// `fn_name: noun.verb, Access, RequestType => ReplyType;`. It makes the
/// endpoint's builder (`catalog::track_get()`), the [`Request`](crate::Request)
/// impl that ties the request type to the endpoint and its reply, the
/// service's `ALL` (derived from the request types) and its `visit`.
macro_rules! endpoints {
    ($($(#[$doc:meta])* $fn:ident: $noun:ident . $verb:ident, $access:ident, $req:ty => $reply:ty;)*) => {
        $(
            $(#[$doc])*
            pub const fn $fn() -> Endpoint {
                Endpoint::new(SERVICE, stringify!($noun), stringify!($verb)).with_access(super::Access::$access)
            }

            impl crate::Request for $req {
                const ENDPOINT: Endpoint = $fn();
                type Reply = $reply;
            }
        )*

        /// Every endpoint of this service, in `subjects.md` order: one per request type.
        pub const ALL: &[Endpoint] = &[$(<$req as crate::Request>::ENDPOINT),*];

        /// Show `visitor` every request type of this service, in `subjects.md` order.
        pub fn visit(visitor: &mut impl crate::request::Visitor) {
            $(visitor.visit::<$req>();)*
        }
    };
}

pub mod auth;
pub mod catalog;
pub mod payment;
pub mod profile;
pub mod recommend;
pub mod search;
pub mod stream;

/// Every endpoint of every service, in `subjects.md` order.
pub fn all() -> Vec<Endpoint> {
    [auth::ALL, catalog::ALL, search::ALL, profile::ALL, stream::ALL, payment::ALL, recommend::ALL].concat()
}

/// Show `visitor` every request type of every service, in `subjects.md` order.
pub fn visit(visitor: &mut impl crate::request::Visitor) {
    auth::visit(visitor);
    catalog::visit(visitor);
    search::visit(visitor);
    profile::visit(visitor);
    stream::visit(visitor);
    payment::visit(visitor);
    recommend::visit(visitor);
}

/// The endpoints browsers may call: the service imports of the browsers'
/// account and the web user's publish permissions. All but the admin ones,
/// which only operators' connections reach, and the service-only ones.
pub fn browser() -> Vec<Endpoint> {
    all().into_iter().filter(|e| matches!(e.access, Access::Public | Access::Authenticated)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_and_name_follow_the_pattern() {
        let e = catalog::track_get();
        assert_eq!(e.subject(), "chorus.catalog.v1.track.get");
        assert_eq!(e.name(), "track_get");
    }

    #[test]
    fn subjects_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for e in all() {
            assert!(seen.insert(e.subject()), "duplicate subject {}", e.subject());
        }
    }
}
