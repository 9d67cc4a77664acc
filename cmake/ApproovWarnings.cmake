# Warning flags for the project's own targets (never imposed on consumers).
function(approov_set_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion>
    $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra -Wpedantic>)
  if(APPROOV_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
