struct Handle;

#[genai_tracing::tool]
fn open(path: &str) -> Result<Handle, std::io::Error> {
    let _ = path;
    Ok(Handle)
}

fn main() {}
