//! A grille condition written as an XLSForm expression (ODK's XPath).
//!
//! In: a checked expression (a question's `when`, a rule's `check`), the
//! level of the form it goes into, and the known units of coarser levels.
//! Out: the XPath text, or why it cannot be written. Answers of the form's
//! level are `${field}`; a yes/no answer is `${f} = 'yes'` (its choices
//! are `yes`/`no`); `has` is `selected(…)`; lets are written out in place;
//! an answer of a coarser level is looked up in that level's list of
//! units (`--units`) through the form's parent key, as
//! `instance('structure')/root/item[name = ${structure}]/statut`.

use crate::ir::{BinOp, ExprKind, Framework, Func, LevelId, QType, Type, UnOp};
use crate::ir::{Expr, QuestionId};

/// What an expression needs that the form does not have.
#[derive(Debug, Clone, PartialEq)]
pub enum Unwritable {
    /// It reads an answer of a coarser level whose units were not given.
    NeedsUnits(LevelId),
    /// It uses something a form cannot compute (an aggregate, a date function…).
    Construct(String),
}

/// Writes expressions for the form of `level`.
pub struct Writer<'a> {
    pub fw: &'a Framework,
    pub level: LevelId,
    /// Levels whose units are listed in the form (as choice lists).
    pub listed: &'a [LevelId],
}

impl Writer<'_> {
    /// `e` as XPath.
    pub fn write(&self, e: &Expr) -> Result<String, Unwritable> {
        match &e.kind {
            ExprKind::Num(n) => Ok(crate::text::number(*n)),
            ExprKind::Str(s) => Ok(literal(s)),
            ExprKind::Bool(true) => Ok("true()".into()),
            ExprKind::Bool(false) => Ok("false()".into()),
            ExprKind::Question(q) => self.question(*q),
            ExprKind::Let(l) => Ok(format!("({})", self.write(&self.fw.lets[*l].expr)?)),
            ExprKind::Unary(UnOp::Not, x) => Ok(format!("not({})", self.write(x)?)),
            ExprKind::Unary(UnOp::Neg, x) => Ok(format!("-({})", self.write(x)?)),
            ExprKind::Chain(first, rest) => self.chain(first, rest),
            ExprKind::In(x, list) => {
                let x = self.write(x)?;
                let alts: Result<Vec<String>, _> = list
                    .iter()
                    .map(|v| Ok(format!("{x} = {}", self.write(v)?)))
                    .collect();
                Ok(format!("({})", alts?.join(" or ")))
            }
            ExprKind::If(arms, other) => {
                let mut out = self.write(other)?;
                for (c, v) in arms.iter().rev() {
                    out = format!("if({}, {}, {out})", self.write(c)?, self.write(v)?);
                }
                Ok(out)
            }
            ExprKind::Func(f, args) => self.func(*f, args),
            ExprKind::Agg(_) => Err(Unwritable::Construct("an aggregate".into())),
            ExprKind::Indicator(_) | ExprKind::Score(_) | ExprKind::DimensionScore(_) => {
                Err(Unwritable::Construct("an indicator".into()))
            }
        }
    }

    fn question(&self, q: QuestionId) -> Result<String, Unwritable> {
        let question = &self.fw.questions[q];
        let value = if question.level == self.level {
            format!("${{{}}}", question.column)
        } else {
            self.looked_up(question.level, &question.column)?
        };
        Ok(match question.ty {
            QType::YesNo => format!("({value} = 'yes')"),
            // Typed out of 100 in the form; grille's shares run from 0 to 1.
            QType::Percent { of_100: true } => format!("({value} div 100)"),
            _ => value,
        })
    }

    /// A column of the unit of coarser level `l` this form's unit belongs
    /// to, from the lists of units, following parent keys up.
    fn looked_up(&self, l: LevelId, column: &str) -> Result<String, Unwritable> {
        let fw = self.fw;
        let mut key = match fw.levels[self.level].parent_column.as_deref() {
            Some(pc) if fw.levels[self.level].parent.is_some() => format!("${{{pc}}}"),
            _ => return Err(Unwritable::Construct("an answer of another level".into())),
        };
        let mut at = fw.levels[self.level].parent.expect("checked above");
        loop {
            if !self.listed.contains(&at) {
                return Err(Unwritable::NeedsUnits(at));
            }
            let item = format!("instance('{}')/root/item[name = {key}]", fw.levels[at].id);
            if at == l {
                return Ok(format!("{item}/{}", field_name(column)));
            }
            let up = &fw.levels[at];
            match (up.parent, up.parent_column.as_deref()) {
                (Some(p), Some(pc)) => {
                    key = format!("{item}/{}", field_name(pc));
                    at = p;
                }
                _ => return Err(Unwritable::Construct("an answer of another level".into())),
            }
        }
    }

    fn chain(&self, first: &Expr, rest: &[(BinOp, Expr)]) -> Result<String, Unwritable> {
        let mut out = self.write(first)?;
        let mut left_ty = first.ty;
        for (op, rhs) in rest {
            let r = self.write(rhs)?;
            out = match op {
                BinOp::Has => format!("selected({out}, {r})"),
                BinOp::Pow => format!("pow({out}, {r})"),
                // An empty answer differs from every value in XPath, while
                // grille cannot decide it: the question is then not asked.
                BinOp::Ne if matches!(left_ty, Type::Option(_) | Type::Number | Type::Text) => {
                    format!("({out} != '' and {out} != {r})")
                }
                _ => format!("({out} {} {r})", symbol(*op)),
            };
            left_ty = rhs.ty;
        }
        Ok(out)
    }

    fn func(&self, f: Func, args: &[Expr]) -> Result<String, Unwritable> {
        let name = match f {
            Func::Abs => "abs",
            Func::Round => "round",
            Func::Floor => "floor",
            Func::Ceil => "ceiling",
            Func::Sqrt => "sqrt",
            Func::Ln => "log",
            Func::Exp => "exp",
            Func::Least => "min",
            Func::Greatest => "max",
            Func::Coalesce => "coalesce",
            Func::CountSelected => "count-selected",
            Func::IsMissing => {
                let x = self.write(&args[0])?;
                return Ok(format!("({x} = '')"));
            }
            other => return Err(Unwritable::Construct(format!("`{other:?}`").to_lowercase())),
        };
        let parts: Result<Vec<String>, _> = args.iter().map(|a| self.write(a)).collect();
        Ok(format!("{name}({})", parts?.join(", ")))
    }
}

fn symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::Or => "or",
        BinOp::And => "and",
        BinOp::Eq => "=",
        BinOp::Ne => "!=",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        BinOp::Ge => ">=",
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "div",
        BinOp::Has | BinOp::Pow => unreachable!("written as functions"),
    }
}

/// A text as an XPath literal: XPath 1.0 has no escapes, so a text with
/// both kinds of quote is joined from pieces.
pub fn literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// A column name as an XML element name in the list of units: characters
/// an element name cannot hold become `_`.
pub fn field_name(column: &str) -> String {
    let mut out: String = column
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}
