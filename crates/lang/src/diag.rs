//! Diagnostics: a stable code, a severity, a place and a message that says what would be right.
//!
//! Rendering goes through `codespan-reporting`, so every diagnostic prints with a snippet and a caret.

use crate::source::{FileId, Sources};
use crate::syntax::ast::Span;
use codespan_reporting::diagnostic as cs;
use codespan_reporting::term;
use serde::Serialize;

/// How bad a finding is. Errors fail `check`; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look; the pack still runs.
    Warning,
    /// The pack cannot be run as written.
    Error,
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $sev:ident, $doc:literal;)*) => {
        /// Every diagnostic the checker can give. The codes are stable: tests and tools match on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable code, such as `E0101`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// Whether the finding fails the check.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// One line on what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }
        }
    };
}

codes! {
    Syntax = "E0001", Error, "The rule block does not parse.";
    Lexical = "E0002", Error, "A character, number or date that the language does not know.";
    TooDeep = "E0003", Error, "Brackets nest deeper than the checker accepts.";
    Manifest = "E0004", Error, "pack.toml is missing a field or has a wrong value.";
    Catalog = "E0005", Error, "catalog.toml is malformed.";
    Literate = "E0006", Error, "policy.md has a rule block inside a list, a quote or an indent.";
    TooLong = "E0007", Error, "A block longer than the checker accepts, in bytes or tokens.";
    UnknownName = "E0101", Error, "A name that is not a parameter, local, variable or enum variant.";
    UnknownField = "E0102", Error, "A field that the entity does not have.";
    UnknownVariant = "E0103", Error, "A value that is not in the catalog enum.";
    UnknownCatalogEntry = "E0104", Error, "A department, fund or enum that the catalog does not list.";
    UnknownEntity = "E0105", Error, "A rule subject that is not an entity kind.";
    TypeMismatch = "E0201", Error, "A value of the wrong type.";
    UnitError = "E0202", Error, "Arithmetic that mixes units the wrong way, such as money + percent.";
    NonExhaustive = "E0203", Error, "A match or table that leaves out an enum value.";
    BadCall = "E0204", Error, "A function called with the wrong arguments, or an unknown function.";
    FinerThanFen = "E0205", Error, "A money literal finer than one fen.";
    NotConstant = "E0206", Error, "An expression where a constant is needed (a parameter's value).";
    MissingCitation = "E0301", Error, "A rule with no sentence before it and no explicit cite.";
    DuplicateId = "E0302", Error, "Two declarations with the same id.";
    ExclusiveMismatch = "E0303", Error, "Members of one exclusivity group disagree on subject or key.";
    OutsideWindow = "E0304", Error, "A rule effective outside the pack's validity window.";
    InventedAmount = "E0305", Error, "An amount given where the document fixes none (case by case, pending).";
    MissingAmount = "E0306", Error, "An automatic rule without an award.";
    CiteNotFound = "E0307", Error, "An explicit cite whose text is not in the policy.";
    GivenTwice = "E0308", Error, "An item given twice in one declaration: a rule's award or title, a table's key, a local name.";
    TargetIncomplete = "E0309", Error, "A target without a goal, or without one way to know its value.";
    PrincipleIncomplete = "E0310", Error, "A principle without a fund and a share.";
    MissingDepartment = "W0401", Warning, "A rule or target without a responsible department.";
    UnusedParam = "W0402", Warning, "A parameter that no rule reads.";
    UnreachableArm = "W0403", Warning, "A match arm that can never be taken.";
    KeyWithoutSubject = "W0404", Warning, "An exclusive or cap key that names neither the enterprise nor the rule's subject.";
}

/// One finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// The file it is about.
    pub file: FileId,
    /// Where in that file.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// Other places that explain it.
    pub notes: Vec<(FileId, Span, String)>,
    /// What would be right.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with a code, a place and a message.
    pub fn new(code: Code, file: FileId, span: Span, message: impl Into<String>) -> Self {
        Self {
            code,
            file,
            span,
            message: message.into(),
            notes: Vec::new(),
            help: None,
        }
    }

    /// Adds a hint on what would be right.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Points at a second place.
    pub fn with_note(mut self, file: FileId, span: Span, note: impl Into<String>) -> Self {
        self.notes.push((file, span, note.into()));
        self
    }

    /// The finding's severity.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

/// A diagnostic located in lines and columns, for tools (`--format json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located {
    /// The stable code.
    pub code: &'static str,
    /// error or warning.
    pub severity: Severity,
    /// The file's path as given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What would be right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The source line the finding is on.
    pub snippet: String,
}

impl Sources {
    /// Line and column (1-based, columns in characters) of a byte offset.
    pub fn line_col(&self, file: FileId, offset: usize) -> (usize, usize) {
        let text = &self.file(file).text;
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, text[line_start..offset].chars().count() + 1)
    }

    /// A diagnostic with its line, column and source line.
    pub fn locate(&self, d: &Diagnostic) -> Located {
        let text = &self.file(d.file).text;
        let (line, column) = self.line_col(d.file, d.span.start);
        let snippet = text.lines().nth(line - 1).unwrap_or("").to_string();
        Located {
            code: d.code.as_str(),
            severity: d.severity(),
            file: self.file(d.file).name.clone(),
            line,
            column,
            message: d.message.clone(),
            help: d.help.clone(),
            snippet,
        }
    }

    /// Renders diagnostics as a person reads them: code, message, file:line:col, snippet and caret.
    pub fn render(&self, diagnostics: &[Diagnostic], color: bool) -> String {
        let mut files = codespan_reporting::files::SimpleFiles::new();
        for f in self.files() {
            files.add(f.name.clone(), f.text.clone());
        }
        let config = term::Config::default();
        let mut out = term::termcolor::Buffer::no_color();
        if color {
            out = term::termcolor::Buffer::ansi();
        }
        for d in diagnostics {
            let severity = match d.severity() {
                Severity::Error => cs::Severity::Error,
                Severity::Warning => cs::Severity::Warning,
            };
            let mut labels = vec![cs::Label::primary(d.file.0, self.clamp(d.file, &d.span))];
            for (file, span, note) in &d.notes {
                labels
                    .push(cs::Label::secondary(file.0, self.clamp(*file, span)).with_message(note));
            }
            let mut diag = cs::Diagnostic::new(severity)
                .with_code(d.code.as_str())
                .with_message(&d.message)
                .with_labels(labels);
            if let Some(help) = &d.help {
                diag = diag.with_notes(vec![format!("help: {help}")]);
            }
            // Rendering into memory cannot fail on IO; a failure would mean a bad span, which we clamp.
            let _ = term::emit_to_write_style(&mut out, &config, &files, &diag);
        }
        String::from_utf8_lossy(out.as_slice()).into_owned()
    }

    /// Keeps a span inside its file and on character boundaries, so rendering never fails.
    fn clamp(&self, file: FileId, span: &Span) -> Span {
        let text = &self.file(file).text;
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = floor_char_boundary(text, span.end.min(text.len())).max(start);
        start..end
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}
