struct Note {
    text: String,
}

#[genai_tracing::tool]
fn summarise(notes: Vec<Note>, limit: usize) -> usize {
    notes.len().min(limit)
}

#[genai_tracing::memory(operation = "create_memory", store = "notes")]
fn remember(notes: Vec<Note>) -> usize {
    notes.len()
}

fn main() {}
