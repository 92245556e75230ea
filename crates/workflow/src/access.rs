//! Roles, scopes and the one table of who may do what (deny by default).
//!
//! A request is allowed in two steps: [`permits`] says whether the role may take the action at all
//! (the route's rule), and the [`Principal`]'s scope says which enterprises and award lines it sees
//! (the rows). A county reviewer may open a run, but sees only its county's lines and totals.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The people of the policy, as accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// 企业经办人: one enterprise's staff.
    EnterpriseStaff,
    /// 企业管理员: the enterprise's 法人 account; manages its own staff accounts.
    EnterpriseAdmin,
    /// 县（市、区）审核员: one county's reviewer.
    CountyReviewer,
    /// 部门审核员: one department's reviewer (市经信局, 市科技局 …).
    DepartmentReviewer,
    /// 财政 (市财政局): budgets, the 市区共担 split, payment batches; city-wide.
    Finance,
    /// 审计: city-wide and read only, the audit log included.
    Auditor,
    /// 系统管理员: official accounts only; sees no money figure and decides nothing.
    SystemAdmin,
    /// 坐席: the 96871 hotline's operator; records calls as requests on an enterprise's behalf.
    Hotline,
    /// 服务枢纽: a county's hub (scope: the county) or the city's (no scope); accepts and dispatches
    /// requests, and the city hub keeps the provider registry and the （二十） events.
    Hub,
    /// 枢纽督办: a hub's supervisor; escalates requests past their deadline.
    HubSupervisor,
    /// 服务供给机构: a service provider, by its 统一社会信用代码; works the requests sent to it.
    Provider,
}

impl Role {
    /// Every role, in the order of the table.
    pub const ALL: [Role; 11] = [
        Role::EnterpriseStaff,
        Role::EnterpriseAdmin,
        Role::CountyReviewer,
        Role::DepartmentReviewer,
        Role::Finance,
        Role::Auditor,
        Role::SystemAdmin,
        Role::Hotline,
        Role::Hub,
        Role::HubSupervisor,
        Role::Provider,
    ];

    /// The role's name as officials say it.
    pub fn name(self) -> &'static str {
        match self {
            Role::EnterpriseStaff => "企业经办人",
            Role::EnterpriseAdmin => "企业管理员",
            Role::CountyReviewer => "县区审核员",
            Role::DepartmentReviewer => "部门审核员",
            Role::Finance => "财政",
            Role::Auditor => "审计",
            Role::SystemAdmin => "系统管理员",
            Role::Hotline => "坐席",
            Role::Hub => "服务枢纽",
            Role::HubSupervisor => "枢纽督办",
            Role::Provider => "服务供给机构",
        }
    }

    /// The role's code, as stored and as typed in scripts.
    pub fn code(self) -> &'static str {
        match self {
            Role::EnterpriseStaff => "enterprise-staff",
            Role::EnterpriseAdmin => "enterprise-admin",
            Role::CountyReviewer => "county-reviewer",
            Role::DepartmentReviewer => "department-reviewer",
            Role::Finance => "finance",
            Role::Auditor => "auditor",
            Role::SystemAdmin => "system-admin",
            Role::Hotline => "hotline",
            Role::Hub => "hub",
            Role::HubSupervisor => "hub-supervisor",
            Role::Provider => "provider",
        }
    }

    /// A role by its name or code (`县区审核员`, `county-reviewer`); the error lists them.
    pub fn parse(s: &str) -> Result<Role, String> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.name() == s || r.code() == s)
            .ok_or_else(|| {
                let names: Vec<String> = Role::ALL
                    .iter()
                    .map(|r| format!("{}（{}）", r.name(), r.code()))
                    .collect();
                format!("no role {s:?}; the roles are {}", names.join("、"))
            })
    }

    /// What the role's scope names: an enterprise, a county, a department, or nothing.
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::EnterpriseStaff | Role::EnterpriseAdmin => ScopeKind::Enterprise,
            Role::CountyReviewer => ScopeKind::County,
            Role::DepartmentReviewer => ScopeKind::Department,
            Role::Finance | Role::Auditor | Role::Hotline => ScopeKind::City,
            Role::SystemAdmin => ScopeKind::Accounts,
            Role::Hub | Role::HubSupervisor => ScopeKind::Hub,
            Role::Provider => ScopeKind::Provider,
        }
    }

    /// Whether accounts of this role are made and reset by the 系统管理员: every official's, and an
    /// enterprise's 管理员 (the 法人 account); only 经办人 are made by their enterprise's 管理员.
    pub fn managed_by_system_admin(self) -> bool {
        self != Role::EnterpriseStaff
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a role's scope is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    /// One 统一社会信用代码.
    Enterprise,
    /// One of the 9 counties.
    County,
    /// One department.
    Department,
    /// The whole city.
    City,
    /// Accounts only, no data.
    Accounts,
    /// A county's hub (the county), or the city's (none).
    Hub,
    /// One service provider.
    Provider,
}

/// The part of the data an account is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    /// One enterprise, by 统一社会信用代码.
    Enterprise(String),
    /// One county (区县).
    County(String),
    /// One department (责任单位).
    Department(String),
    /// The whole city.
    City,
    /// No data: account administration only.
    Accounts,
    /// One service provider (服务供给机构), by 统一社会信用代码.
    Provider(String),
}

impl Scope {
    /// The scope of `role` named by `value` (a uscc, a county, a department; empty for the others).
    /// Whether the value exists (a valid uscc, one of the 9 counties, a department of the packs) is
    /// checked by the caller, which knows the data.
    pub fn of(role: Role, value: &str) -> Result<Scope, String> {
        let v = value.trim();
        let need = |what: &str| {
            if v.is_empty() {
                Err(format!("a {} account needs {what}", role.name()))
            } else {
                Ok(v.to_string())
            }
        };
        Ok(match role.scope_kind() {
            ScopeKind::Enterprise => Scope::Enterprise(need("an enterprise (--uscc)")?),
            ScopeKind::County => Scope::County(need("a county (--county)")?),
            ScopeKind::Department => Scope::Department(need("a department (--department)")?),
            ScopeKind::Provider => Scope::Provider(need("a service provider (--provider)")?),
            ScopeKind::Hub if v.is_empty() => Scope::City,
            ScopeKind::Hub => Scope::County(v.to_string()),
            ScopeKind::City | ScopeKind::Accounts if !v.is_empty() => {
                return Err(format!(
                    "a {} account is not bound to {v:?}; give no scope",
                    role.name()
                ));
            }
            ScopeKind::City => Scope::City,
            ScopeKind::Accounts => Scope::Accounts,
        })
    }

    /// The value stored for the scope (empty for the city and accounts).
    pub fn value(&self) -> &str {
        match self {
            Scope::Enterprise(v) | Scope::County(v) | Scope::Department(v) | Scope::Provider(v) => {
                v
            }
            Scope::City | Scope::Accounts => "",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Enterprise(u) => write!(f, "企业 {u}"),
            Scope::County(c) => f.write_str(c),
            Scope::Department(d) => f.write_str(d),
            Scope::City => f.write_str("全市"),
            Scope::Accounts => f.write_str("账号管理"),
            Scope::Provider(u) => write!(f, "服务供给机构 {u}"),
        }
    }
}

/// Whether a scope names something that exists: one of `counties`, one of `departments` (those the
/// packs name as 责任单位), an enterprise of the facts, a provider of the registry. The error lists
/// what is allowed.
pub fn check_scope(
    scope: &Scope,
    counties: &[&str],
    departments: &[String],
    enterprise_exists: impl Fn(&str) -> bool,
    provider_exists: impl Fn(&str) -> bool,
) -> Result<(), String> {
    match scope {
        Scope::County(c) if !counties.contains(&c.as_str()) => Err(format!(
            "{c:?} is not a county; the counties are {}",
            counties.join("、")
        )),
        Scope::Department(d) if !departments.contains(d) => Err(format!(
            "{d:?} is no department of the policy; the departments are {}",
            departments.join("、")
        )),
        Scope::Enterprise(u) if !enterprise_exists(u) => Err(format!(
            "no enterprise with 统一社会信用代码 {u} in the facts"
        )),
        Scope::Provider(u) if !provider_exists(u) => Err(format!(
            "no service provider with 统一社会信用代码 {u} in the registry (import it first)"
        )),
        _ => Ok(()),
    }
}

/// Someone signed in: an account's name, role and scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The account name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Its scope.
    pub scope: Scope,
}

impl Principal {
    /// Whether it may see the enterprise `uscc` of `county` at all (its facts, its page). A
    /// department reviewer sees every enterprise (it reviews applications from all of them) but only
    /// its rules' lines ([`Principal::sees_line`]).
    pub fn sees_enterprise(&self, uscc: &str, county: Option<&str>) -> bool {
        match &self.scope {
            Scope::Enterprise(u) => u == uscc,
            Scope::County(c) => county == Some(c.as_str()),
            Scope::Department(_) | Scope::City => true,
            Scope::Accounts | Scope::Provider(_) => false,
        }
    }

    /// Whether it may see an award line: of its enterprise, its county, or a rule its department
    /// leads or takes part in (`departments`, lead first).
    pub fn sees_line<'a>(
        &self,
        enterprise: Option<&str>,
        county: Option<&str>,
        mut departments: impl Iterator<Item = &'a str>,
    ) -> bool {
        match &self.scope {
            Scope::Enterprise(u) => enterprise == Some(u.as_str()),
            Scope::County(c) => county == Some(c.as_str()),
            Scope::Department(d) => departments.any(|x| x == d),
            Scope::City => true,
            Scope::Accounts | Scope::Provider(_) => false,
        }
    }

    /// Whether it sees every line (its totals are the city's).
    pub fn city_wide(&self) -> bool {
        self.scope == Scope::City
    }
}

/// Everything a page, a download or an API call may do. Each route names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Action {
    /// Read the policy, its rules and the API's description (public).
    ViewPolicy,
    /// Read the 2025 targets (public).
    ViewTargets,
    /// Read the city-wide totals of the latest run (public).
    ViewCityTotals,
    /// Sign in or out, the site's stylesheet (public).
    SignIn,
    /// The 公示 batches and each 公示 (public).
    ViewPublications,
    /// Find enterprises (in scope).
    FindEnterprises,
    /// One enterprise's facts, awards and explanation (in scope).
    ViewEnterprise,
    /// The list of runs and a run's lines and payout list (the lines in scope).
    ViewRuns,
    /// Compare two whole runs (city-wide).
    CompareRuns,
    /// Evaluate a what-if of changed parameters (a simulation, not stored).
    WhatIf,
    /// Read the audit log and verify its chain.
    ViewAudit,
    /// The award cases in one's scope, and one case with its history.
    ViewCases,
    /// Act on a case (confirm, apply, review, decide, publicize, object, pay): the case's own
    /// transition table says which action by whom.
    ActOnCase,
    /// Publish one's department's ready cases as a 公示 (the lead department's reviewer).
    Publish,
    /// The payment batches and their bank files (财政, and 审计 reading).
    ViewPayments,
    /// Make payment batches and record them paid (财政).
    Pay,
    /// One's own account: who one is, change one's password.
    OwnAccount,
    /// Create, disable and reset official accounts.
    ManageOfficialAccounts,
    /// Create, disable and expire one's enterprise's 经办人 accounts.
    ManageEnterpriseStaff,
    /// The public service-level summary of the desk (no enterprise names).
    ViewServiceSummary,
    /// The service requests in one's scope (我的诉求, a hub's or provider's queue), one with its timeline.
    ViewRequests,
    /// Raise a request: an enterprise for itself, the hotline for a caller's enterprise.
    RaiseRequest,
    /// Act on a request (accept, dispatch, work, ask, answer, rate, reopen, escalate): the request's
    /// own transition table says which action by whom.
    ActOnRequest,
    /// The service-level report by hub, department, provider and category, and its export.
    ViewServiceLevels,
    /// Keep the provider registry and the （二十） connection and approval events (the city hub).
    ManageServiceDesk,
}

impl Action {
    /// Every action, in the order of [`TABLE`].
    pub const ALL: [Action; 25] = [
        Action::ViewPolicy,
        Action::ViewTargets,
        Action::ViewCityTotals,
        Action::SignIn,
        Action::ViewPublications,
        Action::FindEnterprises,
        Action::ViewEnterprise,
        Action::ViewRuns,
        Action::CompareRuns,
        Action::WhatIf,
        Action::ViewAudit,
        Action::ViewCases,
        Action::ActOnCase,
        Action::Publish,
        Action::ViewPayments,
        Action::Pay,
        Action::OwnAccount,
        Action::ManageOfficialAccounts,
        Action::ManageEnterpriseStaff,
        Action::ViewServiceSummary,
        Action::ViewRequests,
        Action::RaiseRequest,
        Action::ActOnRequest,
        Action::ViewServiceLevels,
        Action::ManageServiceDesk,
    ];
}

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Anyone, signed in or not.
    Anyone,
    /// Anyone signed in.
    SignedIn,
    /// These roles only.
    Roles(&'static [Role]),
}

use Role::*;

/// The roles that see enterprises: their own, their county's, or all.
const DATA: &[Role] = &[
    EnterpriseStaff,
    EnterpriseAdmin,
    CountyReviewer,
    DepartmentReviewer,
    Finance,
    Auditor,
];
/// The officials who see runs (their scope's lines of them).
const OFFICIALS: &[Role] = &[CountyReviewer, DepartmentReviewer, Finance, Auditor];
const CITY: &[Role] = &[Finance, Auditor];

/// The table: every action and who may take it. Deny by default: an action not here is denied.
pub const TABLE: &[(Action, Who)] = &[
    (Action::ViewPolicy, Who::Anyone),
    (Action::ViewTargets, Who::Anyone),
    (Action::ViewCityTotals, Who::Anyone),
    (Action::SignIn, Who::Anyone),
    (Action::ViewPublications, Who::Anyone),
    (Action::FindEnterprises, Who::Roles(DATA)),
    (Action::ViewEnterprise, Who::Roles(DATA)),
    (Action::ViewRuns, Who::Roles(OFFICIALS)),
    (Action::CompareRuns, Who::Roles(CITY)),
    (Action::WhatIf, Who::Roles(CITY)),
    (Action::ViewAudit, Who::Roles(&[Auditor])),
    (Action::ViewCases, Who::Roles(DATA)),
    (
        Action::ActOnCase,
        Who::Roles(&[
            EnterpriseStaff,
            EnterpriseAdmin,
            CountyReviewer,
            DepartmentReviewer,
            Finance,
        ]),
    ),
    (Action::Publish, Who::Roles(&[DepartmentReviewer])),
    (Action::ViewPayments, Who::Roles(CITY)),
    (Action::Pay, Who::Roles(&[Finance])),
    (Action::OwnAccount, Who::SignedIn),
    (Action::ManageOfficialAccounts, Who::Roles(&[SystemAdmin])),
    (
        Action::ManageEnterpriseStaff,
        Who::Roles(&[EnterpriseAdmin]),
    ),
    (Action::ViewServiceSummary, Who::Anyone),
    (
        Action::ViewRequests,
        Who::Roles(&[
            EnterpriseStaff,
            EnterpriseAdmin,
            DepartmentReviewer,
            Auditor,
            Hotline,
            Hub,
            HubSupervisor,
            Provider,
        ]),
    ),
    (
        Action::RaiseRequest,
        Who::Roles(&[EnterpriseStaff, EnterpriseAdmin, Hotline]),
    ),
    (
        Action::ActOnRequest,
        Who::Roles(&[
            EnterpriseStaff,
            EnterpriseAdmin,
            DepartmentReviewer,
            Hub,
            HubSupervisor,
            Provider,
        ]),
    ),
    (
        Action::ViewServiceLevels,
        Who::Roles(&[DepartmentReviewer, Auditor, Hub, HubSupervisor, Provider]),
    ),
    (Action::ManageServiceDesk, Who::Roles(&[Hub])),
];

/// Whether `role` (`None`: not signed in) may take `action`.
pub fn permits(role: Option<Role>, action: Action) -> bool {
    TABLE
        .iter()
        .find(|(a, _)| *a == action)
        .is_some_and(|(_, who)| match (who, role) {
            (Who::Anyone, _) => true,
            (Who::SignedIn, r) => r.is_some(),
            (Who::Roles(rs), Some(r)) => rs.contains(&r),
            (Who::Roles(_), None) => false,
        })
}

/// Which accounts `manager` may create, disable or reset: the 系统管理员 every official account, an
/// 企业管理员 the 经办人 of its own enterprise; nobody else any.
pub fn may_manage(manager: &Principal, role: Role, scope: &Scope) -> bool {
    match manager.role {
        SystemAdmin => role.managed_by_system_admin(),
        EnterpriseAdmin => role == EnterpriseStaff && *scope == manager.scope,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole table, written out as the role table reads: one row per role (and the
    /// anonymous visitor), one letter per action in the order of [`Action::ALL`].
    #[test]
    fn every_role_and_action_as_the_policy_table_says() {
        let expected: [(Option<Role>, &str); 12] = [
            (None, "YYYYY..............Y....."),
            (Some(EnterpriseStaff), "YYYYYYY....YY...Y..YYYY.."),
            (Some(EnterpriseAdmin), "YYYYYYY....YY...Y.YYYYY.."),
            (Some(CountyReviewer), "YYYYYYYY...YY...Y..Y....."),
            (Some(DepartmentReviewer), "YYYYYYYY...YYY..Y..YY.YY."),
            (Some(Finance), "YYYYYYYYYY.YY.YYY..Y....."),
            (Some(Auditor), "YYYYYYYYYYYY..Y.Y..YY..Y."),
            (Some(SystemAdmin), "YYYYY...........YY.Y....."),
            (Some(Hotline), "YYYYY...........Y..YYY..."),
            (Some(Hub), "YYYYY...........Y..YY.YYY"),
            (Some(HubSupervisor), "YYYYY...........Y..YY.YY."),
            (Some(Provider), "YYYYY...........Y..YY.YY."),
        ];
        for (role, row) in expected {
            let got: String = Action::ALL
                .iter()
                .map(|a| if permits(role, *a) { 'Y' } else { '.' })
                .collect();
            assert_eq!(got, row, "{role:?}");
        }
        let ruled: Vec<Action> = TABLE.iter().map(|(a, _)| *a).collect();
        assert_eq!(ruled, Action::ALL, "every action has one rule, in order");
    }

    #[test]
    fn the_system_admin_sees_no_money_and_the_auditor_changes_nothing() {
        for a in [
            Action::FindEnterprises,
            Action::ViewEnterprise,
            Action::ViewRuns,
        ] {
            assert!(!permits(Some(SystemAdmin), a));
        }
        for a in [
            Action::ManageOfficialAccounts,
            Action::ManageEnterpriseStaff,
        ] {
            assert!(!permits(Some(Auditor), a));
        }
    }

    fn p(role: Role, scope: &str) -> Principal {
        Principal {
            name: "x".into(),
            role,
            scope: Scope::of(role, scope).unwrap(),
        }
    }

    #[test]
    fn scopes_decide_rows() {
        let e = p(EnterpriseStaff, "91330400MA2B000001");
        assert!(e.sees_enterprise("91330400MA2B000001", Some("南湖区")));
        assert!(!e.sees_enterprise("91330400MA2B000002", Some("南湖区")));
        let c = p(CountyReviewer, "南湖区");
        assert!(c.sees_enterprise("any", Some("南湖区")));
        assert!(!c.sees_enterprise("any", Some("秀洲区")));
        assert!(!c.sees_enterprise("any", None));
        assert!(!c.sees_line(None, None, std::iter::empty()));
        let d = p(DepartmentReviewer, "市科技局");
        assert!(d.sees_line(None, None, ["市经信局", "市科技局"].into_iter()));
        assert!(!d.sees_line(None, Some("南湖区"), ["市经信局"].into_iter()));
        let a = p(SystemAdmin, "");
        assert!(!a.sees_enterprise("any", Some("南湖区")));
        assert!(!a.sees_line(Some("any"), Some("南湖区"), std::iter::empty()));
        assert!(p(Finance, "").city_wide() && !c.city_wide());
    }

    #[test]
    fn a_scope_fits_its_role() {
        assert!(Scope::of(CountyReviewer, "").is_err());
        assert!(Scope::of(Finance, "南湖区").is_err());
        assert_eq!(Scope::of(Auditor, " ").unwrap(), Scope::City);
        assert_eq!(Role::parse("县区审核员").unwrap(), CountyReviewer);
        assert_eq!(Role::parse("auditor").unwrap(), Auditor);
        assert!(Role::parse("root").unwrap_err().contains("系统管理员"));
        // A hub is a county's, or without a scope the city's.
        assert_eq!(Scope::of(Hub, "").unwrap(), Scope::City);
        assert_eq!(
            Scope::of(Hub, "南湖区").unwrap(),
            Scope::County("南湖区".into())
        );
        assert!(Scope::of(Provider, "").is_err());
        // A provider sees no enterprise's facts or awards, only the requests sent to it.
        let pr = p(Provider, "P1");
        assert!(!pr.sees_enterprise("any", Some("南湖区")));
        assert!(!pr.sees_line(Some("any"), None, std::iter::empty()));
    }

    #[test]
    fn a_scope_must_exist() {
        let depts = vec!["市经信局".to_string()];
        let check = |s: Scope| check_scope(&s, &["南湖区"], &depts, |u| u == "U1", |u| u == "P1");
        assert!(check(Scope::County("南湖区".into())).is_ok());
        assert!(
            check(Scope::County("北京市".into()))
                .unwrap_err()
                .contains("南湖区")
        );
        assert!(check(Scope::Department("市经信局".into())).is_ok());
        assert!(check(Scope::Department("市公安局".into())).is_err());
        assert!(check(Scope::Enterprise("U1".into())).is_ok());
        assert!(check(Scope::Enterprise("U2".into())).is_err());
        assert!(check(Scope::City).is_ok());
        assert!(check(Scope::Provider("P1".into())).is_ok());
        assert!(check(Scope::Provider("U1".into())).is_err());
    }

    #[test]
    fn who_manages_whom() {
        let admin = p(SystemAdmin, "");
        let boss = p(EnterpriseAdmin, "91330400MA2B000001");
        let own = Scope::Enterprise("91330400MA2B000001".into());
        let other = Scope::Enterprise("91330400MA2B000002".into());
        assert!(may_manage(&admin, Finance, &Scope::City));
        assert!(may_manage(&admin, EnterpriseAdmin, &own));
        assert!(!may_manage(&admin, EnterpriseStaff, &own));
        assert!(may_manage(&boss, EnterpriseStaff, &own));
        assert!(!may_manage(&boss, EnterpriseStaff, &other));
        assert!(!may_manage(&boss, EnterpriseAdmin, &own));
        for r in [
            EnterpriseStaff,
            CountyReviewer,
            DepartmentReviewer,
            Finance,
            Auditor,
        ] {
            assert!(!may_manage(
                &p(
                    r,
                    if r == Finance || r == Auditor {
                        ""
                    } else {
                        "x"
                    }
                ),
                EnterpriseStaff,
                &own
            ));
        }
    }
}
