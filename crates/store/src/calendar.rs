//! The official working-day calendar as the store keeps it: the bundled years
//! (`jx555_workflow::calendar::BUNDLED`) and the years officials load from a State Council notice,
//! each load validated whole and audited. Every dated step (公示 periods, case deadlines, the desk's
//! clocks) reads this one calendar.

use crate::StoreError;
use jx555_workflow::calendar::Calendar;

/// The store's calendar years. Part of every [`crate::Store`].
pub trait Calendars {
    /// Loads whole years from `date,kind,name` CSV (a header row first), each replacing what was
    /// loaded for it: checked as the calendar checks it, all or none, audited `calendar.load` per
    /// year. The years loaded.
    fn load_calendar(&mut self, csv: &str) -> Result<Vec<i32>, StoreError>;
    /// The years loaded by officials, with when and by whom.
    fn calendar_years(&self) -> Result<Vec<(i32, String, String)>, StoreError>;
    /// The calendar: the bundled years, then the loaded ones over them.
    fn calendar(&self) -> Result<Calendar, StoreError>;
}
