# `make plan` (no ENV): the whole platform planned with no AWS account. The provider gets
# placeholder credentials and looks nothing up; values AWS computes stay "known after apply".
offline_plan = true
