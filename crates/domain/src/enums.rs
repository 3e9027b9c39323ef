//! The closed vocabularies of the domain (kinds, channels, statuses, ...). Each is stored
//! and sent as its lower-case snake name; anything else is a field error naming the
//! allowed values.

/// Declares a closed enum with its wire names, `ALL`, `as_str` and `parse`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the wire name; `field` names the input in the error.
            pub fn parse(field: &str, value: &str) -> Result<Self, $crate::error::FieldError> {
                match value {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::error::FieldError::new(
                        field,
                        "unknown_value",
                        format!("must be one of: {}", [$($text),+].join(", ")),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

text_enum!(
    /// What the customer wants (类型).
    TicketKind {
        Consultation = "consultation",
        Complaint = "complaint",
        Suggestion = "suggestion",
        AfterSales = "after_sales",
        FieldService = "field_service",
    }
);

text_enum!(
    /// Where the request came in.
    Channel { Web = "web", Email = "email", Chat = "chat", Phone = "phone", Wechat = "wechat", Api = "api" }
);

text_enum!(
    /// How urgent a ticket is; ordered from least to most urgent.
    Priority { Low = "low", Normal = "normal", High = "high", Urgent = "urgent" }
);

impl Priority {
    /// Stored as a small integer so that "most urgent first" is an index order.
    pub fn rank(self) -> i16 {
        match self {
            Priority::Low => 0,
            Priority::Normal => 1,
            Priority::High => 2,
            Priority::Urgent => 3,
        }
    }

    pub fn from_rank(rank: i16) -> Option<Self> {
        Priority::ALL.iter().copied().find(|p| p.rank() == rank)
    }
}

text_enum!(
    /// What an agent may do. Supervisors see and steer every ticket; admins also manage
    /// people and settings.
    Role { Agent = "agent", Supervisor = "supervisor", Admin = "admin" }
);

text_enum!(
    /// Whether an agent can take work now; feeds routing.
    Presence { Online = "online", Away = "away", Offline = "offline" }
);

text_enum!(
    /// Service level a customer is entitled to.
    CustomerTier { Normal = "normal", Vip = "vip", KeyAccount = "key_account" }
);

text_enum!(
    /// A hint for agents on how a customer likes to be served (DOMAIN.md, customer types).
    CustomerType { Rational = "rational", Emotional = "emotional", Dominant = "dominant", Cautious = "cautious", Social = "social" }
);

text_enum!(
    /// What a message on a ticket is.
    MessageKind {
        /// Written by the customer.
        Customer = "customer",
        /// A public answer from an agent, seen by the customer.
        Reply = "reply",
        /// Internal, agents only.
        Note = "note",
        /// Written by Kefu itself (acknowledgements, notices).
        System = "system",
        /// Written by the chat bot.
        Bot = "bot",
    }
);

impl MessageKind {
    /// Whether the customer sees the message.
    pub fn is_public(self) -> bool {
        !matches!(self, MessageKind::Note)
    }
}

text_enum!(
    /// Who did something.
    ActorKind {
        Agent = "agent",
        Customer = "customer",
        System = "system",
        /// An automation rule (`id` is the rule's).
        Rule = "rule",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wire_name_round_trips() {
        for kind in TicketKind::ALL {
            assert_eq!(TicketKind::parse("kind", kind.as_str()), Ok(*kind));
        }
        for p in Priority::ALL {
            assert_eq!(Priority::from_rank(p.rank()), Some(*p));
            let json = serde_json::to_string(p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
        }
    }

    #[test]
    fn unknown_value_names_the_allowed_ones() {
        let err = Channel::parse("channel", "fax").unwrap_err();
        assert_eq!(err.code, "unknown_value");
        assert!(err.message.contains("wechat"));
    }
}
