//! The rewriter's shadow of the pickle machine's stack. It holds no values, only where in the
//! rewritten output the opcodes that build each stack item lie (its [`Span`]), so that a memo
//! fetch can be replaced by a copy of those opcodes.
//!
//! Spans are contiguous: everything written between an item's first opcode and the end of its
//! span either builds that item or is pushed and consumed above it, so replaying the span on an
//! empty stack yields exactly that item.

/// Where the opcodes that build one value lie in the output, and its text if it is a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Span {
    pub start: usize,
    pub end: usize,
    /// The value itself when it is a short string (for `STACK_GLOBAL`).
    pub text: Option<String>,
}

/// One stack item: its span and the memo ids it was stored under.
#[derive(Debug)]
pub(super) struct Slot {
    pub span: Span,
    pub memo_ids: Vec<u32>,
}

/// What went wrong with the stack, in words.
pub(super) type StackResult<T> = Result<T, &'static str>;

const UNDERFLOW: &str = "stack underflow";

/// The stack, and its open marks as (stack length, output offset of the `MARK`).
#[derive(Debug, Default)]
pub(super) struct ShadowStack {
    slots: Vec<Slot>,
    marks: Vec<(usize, usize)>,
}

impl ShadowStack {
    /// Pushes an item that was stored under no memo id yet.
    pub fn push(&mut self, span: Span) {
        self.slots.push(Slot { span, memo_ids: Vec::new() });
    }

    /// Pushes an item as it is.
    pub fn push_slot(&mut self, slot: Slot) {
        self.slots.push(slot);
    }

    /// Opens a mark whose `MARK` opcode was written at `out_pos`.
    pub fn mark(&mut self, out_pos: usize) {
        self.marks.push((self.slots.len(), out_pos));
    }

    /// Number of items and of open marks.
    pub fn depth(&self) -> (usize, usize) {
        (self.slots.len(), self.marks.len())
    }

    /// Number of items above the innermost open mark.
    pub fn above_mark(&self) -> usize {
        self.slots.len() - self.marks.last().map_or(0, |&(len, _)| len)
    }

    /// Pops `n` items from above the innermost mark, deepest first.
    pub fn pop_n(&mut self, n: usize) -> StackResult<Vec<Slot>> {
        if self.above_mark() < n {
            return Err(UNDERFLOW);
        }
        Ok(self.slots.split_off(self.slots.len() - n))
    }

    /// Drops the items above the innermost mark and the mark; returns the mark's offset.
    pub fn pop_mark(&mut self) -> StackResult<usize> {
        let (len, out_pos) = self.marks.pop().ok_or("opcode needs a MARK but none is open")?;
        self.slots.truncate(len);
        Ok(out_pos)
    }

    /// `POP`: drops the top item, or the innermost mark when nothing is above it (as Python).
    pub fn pop_or_pop_mark(&mut self) -> StackResult<()> {
        if self.above_mark() > 0 {
            self.slots.pop();
            Ok(())
        } else {
            self.pop_mark().map(drop)
        }
    }

    /// The top item, which must be above the innermost mark.
    pub fn top(&self) -> StackResult<&Slot> {
        self.slots.last().filter(|_| self.above_mark() > 0).ok_or(UNDERFLOW)
    }

    /// The top item, mutably.
    pub fn top_mut(&mut self) -> StackResult<&mut Slot> {
        if self.above_mark() == 0 {
            return Err(UNDERFLOW);
        }
        self.slots.last_mut().ok_or(UNDERFLOW)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize) -> Span {
        Span { start, end: start + 1, text: None }
    }

    #[test]
    fn marks_fence_off_the_items_below() {
        let mut stack = ShadowStack::default();
        stack.push(span(0));
        stack.mark(1);
        assert_eq!(stack.pop_n(1).unwrap_err(), "stack underflow");
        assert_eq!(stack.top().unwrap_err(), "stack underflow");
        stack.push(span(2));
        stack.push(span(3));
        assert_eq!(stack.above_mark(), 2);
        assert_eq!(stack.pop_mark(), Ok(1));
        assert_eq!(stack.depth(), (1, 0));
        assert_eq!(stack.top().unwrap().span, span(0));
    }

    #[test]
    fn pop_drops_an_empty_mark() {
        let mut stack = ShadowStack::default();
        stack.mark(0);
        assert_eq!(stack.pop_or_pop_mark(), Ok(()));
        assert_eq!(stack.depth(), (0, 0));
        assert!(stack.pop_or_pop_mark().is_err());
    }
}
