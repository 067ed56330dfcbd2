/**
 * The plain-Terraform anchor's pair module (scripts/bench/plain-root.ts): per pair, Source and Target roles with the
 * bootstrap trust (ignore_changes on assume_role_policy), their inline policies and the scraper; the final trust
 * documents as outputs, for the root's finalizer batches. Placeholders that Terraform replaces with the real ARNs.
 */
export const SCRAPER_ARN = '__SCRAPER_ARN__';
export const SOURCE_ROLE_ARN = '__SOURCE_ROLE_ARN__';
export const TARGET_ROLE_ARN = '__TARGET_ROLE_ARN__';

export const PAIR_TYPE = `object({
    name                    = string
    source_account          = string
    target_account          = string
    alias                   = string
    cluster_arn             = string
    subnet_ids              = list(string)
    security_group_ids      = list(string)
    workspace_arn           = string
    source_role_name        = string
    target_role_name        = string
    source_role_description = string
    target_role_description = string
    scrape_configuration    = string
    tags                    = map(string)
    documents               = map(string)
  })`;

export const PAIR_MODULE = `terraform {
  required_providers {
    aws = {
      source                = "hashicorp/aws"
      configuration_aliases = [aws.source, aws.target]
    }
  }
}

variable "pair" {
  type = ${PAIR_TYPE}
}

locals {
  docs         = var.pair.documents
  pair_tags    = { "amp-xa:pair" = var.pair.name }
  source_final = replace(local.docs.source_final, "${SCRAPER_ARN}", aws_prometheus_scraper.this.arn)
  target_final = replace(local.docs.target_final, "${SCRAPER_ARN}", aws_prometheus_scraper.this.arn)
}

# Phase 1: roles with the bootstrap trust, their permissions, the scraper.
resource "aws_iam_role" "source" {
  provider           = aws.source
  name               = var.pair.source_role_name
  description        = var.pair.source_role_description
  assume_role_policy = local.docs.source_bootstrap
  tags               = merge(var.pair.tags, local.pair_tags)
  lifecycle {
    ignore_changes = [assume_role_policy] # phase 2 owns the final text
  }
}

resource "aws_iam_role" "target" {
  provider           = aws.target
  name               = var.pair.target_role_name
  description        = var.pair.target_role_description
  assume_role_policy = replace(local.docs.target_bootstrap, "${SOURCE_ROLE_ARN}", aws_iam_role.source.arn)
  tags               = merge(var.pair.tags, local.pair_tags)
  lifecycle {
    ignore_changes = [assume_role_policy]
  }
}

resource "aws_iam_role_policy" "source_assume_target" {
  provider = aws.source
  role     = aws_iam_role.source.name
  name     = "amp-xa-assume-target"
  policy   = replace(local.docs.source_permissions, "${TARGET_ROLE_ARN}", aws_iam_role.target.arn)
}

resource "aws_iam_role_policy" "target_remote_write" {
  provider = aws.target
  role     = aws_iam_role.target.name
  name     = "amp-xa-remote-write"
  policy   = local.docs.target_permissions
}

resource "aws_prometheus_scraper" "this" {
  provider = aws.source
  alias    = var.pair.alias
  source {
    eks {
      cluster_arn        = var.pair.cluster_arn
      subnet_ids         = var.pair.subnet_ids
      security_group_ids = var.pair.security_group_ids
    }
  }
  destination {
    amp {
      workspace_arn = var.pair.workspace_arn
    }
  }
  role_configuration {
    source_role_arn = aws_iam_role.source.arn
    target_role_arn = aws_iam_role.target.arn
  }
  scrape_configuration = var.pair.scrape_configuration
  tags                 = merge(var.pair.tags, local.pair_tags)
  timeouts {
    create = "45m"
    update = "45m"
    delete = "45m"
  }
  depends_on = [aws_iam_role_policy.source_assume_target, aws_iam_role_policy.target_remote_write]
}

output "source_role" {
  value = aws_iam_role.source.name
}

output "target_role" {
  value = aws_iam_role.target.name
}

# Phase 2's documents: the root pins them in batches per account.
output "source_final" {
  value = local.source_final
}

output "target_final" {
  value = local.target_final
}

output "scraper_arn" {
  value = aws_prometheus_scraper.this.arn
}
`;
