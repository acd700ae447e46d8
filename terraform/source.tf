# The uploaded source: go.mod, go.sum and the non-test Go files of the root
# package (function.go, the function the buildpack builds) and of every
# package of this module it imports. The buildpack test in adapters/gcf
# evaluates these same expressions, rebuilds exactly these files as the
# buildpack does and fails, naming the package, if an import is missing here.
locals {
  source_root     = "${path.module}/.."
  source_packages = ["adapters/gcf", "bot", "botapi", "handler", "internal/app", "replyqueue", "replyqueue/pubsubqueue"]
  source_files = setunion(
    ["go.mod", "go.sum"],
    [for f in fileset(local.source_root, "*.go") : f if !endswith(f, "_test.go")],
    flatten([
      for p in local.source_packages : [
        for f in fileset(local.source_root, "${p}/*.go") : f if !endswith(f, "_test.go")
      ]
    ]),
  )
}

data "archive_file" "source" {
  type             = "zip"
  output_path      = "${path.module}/.build/source.zip"
  output_file_mode = "0644"

  dynamic "source" {
    for_each = local.source_files
    content {
      content  = file("${local.source_root}/${source.value}")
      filename = source.value
    }
  }
}

resource "google_storage_bucket" "source" {
  name                        = "${var.project_id}-${var.function_name}-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true

  depends_on = [google_project_service.apis]
}

# Named after the archive's hash: a code change uploads a new object, which
# changes the function's source and so rebuilds and redeploys it.
resource "google_storage_bucket_object" "source" {
  name   = "source-${data.archive_file.source.output_md5}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.source.output_path
}
