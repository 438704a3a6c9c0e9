# ex_soname(VAR NAME DEFAULT HINTS): the soname of libNAME (libNAME.so.N),
# read from the development symlink's target, for libraries explain opens
# with dlopen rather than links; DEFAULT when it cannot be found.
function(ex_soname var name default hints)
  find_library(_ex_${name}_lib NAMES ${name} HINTS ${hints})
  set(_soname ${default})
  if(_ex_${name}_lib)
    get_filename_component(_real ${_ex_${name}_lib} REALPATH)
    get_filename_component(_file ${_real} NAME)
    if(_file MATCHES "^(lib${name}\\.so\\.[0-9]+)")
      set(_soname ${CMAKE_MATCH_1})
    endif()
  endif()
  set(${var} ${_soname} PARENT_SCOPE)
endfunction()
