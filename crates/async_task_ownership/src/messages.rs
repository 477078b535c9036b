//! Every message and help text of the rule, in one place.
