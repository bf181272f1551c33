#[genai_tracing::tool]
#[track_caller]
fn checked(n: u32) -> u32 {
    n
}

fn main() {}
