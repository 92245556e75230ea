//! One module per subcommand.

pub mod check;
pub mod data;
pub mod evaluate;
pub mod report;
