fn main() {
    std::process::exit(sndtrk::cli::run());
}
