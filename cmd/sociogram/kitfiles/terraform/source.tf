# The uploaded source: exactly the files the function's build needs, listed
# by `sociogram gcf-source` from the build itself (go list -deps of the root
# package: the non-test Go files and //go:embed files of every package of this
# module it needs, go.mod and go.sum) after it has built them the way the
# Cloud Functions buildpack does. `make deploy-gcp` runs it before terraform
# apply, so a package or an embedded file the bot adds is uploaded without an
# edit here. The list is .build/source-files.json (ignored by git).
locals {
  source_root  = "${path.module}/.."
  source_list  = "${path.module}/.build/source-files.json"
  source_files = fileexists(local.source_list) ? jsondecode(file(local.source_list)).files : []
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

  lifecycle {
    precondition {
      condition     = fileexists(local.source_list)
      error_message = "No list of the files to upload (terraform/.build/source-files.json): run `make deploy-gcp`, which writes it with `sociogram gcf-source` after checking that those files build, then runs terraform apply."
    }
  }
}

resource "google_storage_bucket" "source" {
  name                        = "${var.project_id}-${var.function_name}-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true

  depends_on = [time_sleep.apis]
}

# Named after the archive's hash: a code change uploads a new object, which
# changes the function's source and so rebuilds and redeploys it.
resource "google_storage_bucket_object" "source" {
  name   = "source-${data.archive_file.source.output_md5}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.source.output_path
}
