//! The rules of the operating layer, as data: who may do what, on which scope. Pure: no IO; the
//! server and the CLI ask these tables and then persist the change and its audit entry together.
//!
//! ```text
//! account (role + scope) ─> Principal ─> access::permits(role, Action)   (may this role do it at all?)
//!                                     └─> Principal::sees_enterprise / sees_line (which rows it may see)
//! award case + Principal + case::Action ─> case::step ─> the next case, or a Refusal saying why
//! calendar::Calendar (data) ─> working days: 公示 periods, service-level clocks
//! service request + request::party(Principal) ─> request::step ─> the next request, or a Refusal
//! requests + clock::Clock ─> service::outcome ─> service::Tally (the service-level report)
//! ```
#![forbid(unsafe_code)]

pub mod access;
pub mod accounts;
pub mod calendar;
pub mod case;
pub mod clock;
pub mod request;
pub mod service;
