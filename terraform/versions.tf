terraform {
  # 1.9: validations that refer to other variables; provider functions (arn_parse) need 1.8.
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}
